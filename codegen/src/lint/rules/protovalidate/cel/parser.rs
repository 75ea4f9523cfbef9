//! CEL's grammar (cel-go's `CEL.g4`) by recursive descent, to an AST of
//! calls as cel-go's parser builds it: operators are calls named as
//! cel-go names them (`_>_`, `@in`, `_[_]`...), macros stay calls the
//! checker expands. ANTLR's recovery words most syntax errors in ways
//! that depend on its prediction tables: the parser words only those whose
//! text is certain (an operand, a `:`, a field name missing at the end; a
//! token after a whole expression; the end inside one bracket after an
//! item; one operator where an operand starts), and calls every other
//! error undecided.

use super::lexer::{RESERVED, Tok, Token, tokens};

#[derive(Debug, Clone)]
pub(super) enum Expr {
    Literal(Literal),
    Ident(String),
    Select {
        operand: Box<Expr>,
        field: String,
    },
    Call {
        target: Option<Box<Expr>>,
        function: String,
        args: Vec<Expr>,
    },
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Literal {
    Int,
    Uint,
    Double,
    /// A string, with its value when it has no escapes but the simple ones.
    String(Option<String>),
    Bytes,
    Bool,
    Null,
}

/// Why an expression does not parse.
#[derive(Debug, PartialEq)]
pub(super) enum SyntaxError {
    /// cel-go's words for it.
    Known(String),
    /// An error protoforge cannot word as cel-go's ANTLR recovery does.
    Undecided(String),
}

/// What ANTLR expects where an expression starts.
const EXPRESSION_START: &str = "{'[', '{', '(', '.', '-', '!', 'true', 'false', 'null', \
                                NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}";

pub(super) fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let tokens = tokens(text).map_err(|at| {
        SyntaxError::Undecided(format!("a character CEL's lexer refuses at offset {at}"))
    })?;
    // The checker recurses along the tree: a bound on its size bounds the
    // stack it takes.
    if tokens.len() > MAX_TOKENS {
        return Err(SyntaxError::Undecided(format!(
            "more than {MAX_TOKENS} tokens"
        )));
    }
    let mut parser = Parser {
        text,
        tokens,
        next: 0,
        depth: 0,
        nesting: 0,
        pending_colon: 0,
        recovered: None,
    };
    let expr = match parser.expr() {
        // A second error after a recovered one: ANTLR's words for the pair
        // are not modelled.
        Err(_) if parser.recovered.is_some() => return Err(parser.undecided()),
        other => other?,
    };
    if parser.peek() != &Tok::Eof && parser.recovered.is_some() {
        return Err(parser.undecided());
    }
    if parser.peek() != &Tok::Eof {
        // A token after a whole expression: ANTLR deletes it when the end
        // follows, else reports the mismatch.
        let stray = &parser.tokens[parser.next];
        let text = &parser.text[stray.at..stray.end];
        let how = if parser.tokens[parser.next + 1].kind == Tok::Eof {
            "extraneous"
        } else {
            "mismatched"
        };
        return Err(SyntaxError::Known(format!(
            "{how} input '{text}' expecting <EOF>"
        )));
    }
    if let Some(error) = parser.recovered {
        return Err(SyntaxError::Known(error));
    }
    Ok(expr)
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    next: usize,
    /// Open parentheses, brackets and braces: an error inside them is
    /// worded by ANTLR's recovery, which the parser does not follow.
    depth: usize,
    /// Conditionals nested in their `else` branches.
    nesting: usize,
    /// Conditionals whose `:` is still to come: the end cannot follow a
    /// bracket closed inside their `then` branch.
    pending_colon: usize,
    /// An operator ANTLR deleted where an operand starts (`a > * 1`): its
    /// error, the parse going on after it.
    recovered: Option<String>,
}

/// Expressions longer than this are left undecided.
const MAX_TOKENS: usize = 600;

/// Recursion deeper than this is refused rather than risking the stack
/// (cel-go refuses deep nesting too, with its own words).
const MAX_DEPTH: usize = 100;

fn call(function: &str, args: Vec<Expr>) -> Expr {
    Expr::Call {
        target: None,
        function: function.to_owned(),
        args,
    }
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.tokens[self.next].kind
    }

    fn bump(&mut self) -> Token {
        let token = self.tokens[self.next].clone();
        if token.kind != Tok::Eof {
            self.next += 1;
        }
        token
    }

    fn eat(&mut self, punct: &str) -> bool {
        if matches!(self.peek(), Tok::Punct(p) if *p == punct) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, punct: &str) -> Result<(), SyntaxError> {
        if self.eat(punct) {
            Ok(())
        } else {
            Err(self.undecided())
        }
    }

    /// Whether the expression ends here, inside `depth` brackets.
    fn ends_at(&self, depth: usize) -> bool {
        self.peek() == &Tok::Eof && self.depth == depth
    }

    /// The error ANTLR reports when the expression ends inside the one
    /// bracket opened: `)` is inserted (when the end may follow it), `]`
    /// and `}` (which a `,` may precede) are mismatched.
    fn unclosed(&self, close: &str) -> SyntaxError {
        SyntaxError::Known(match close {
            ")" if self.pending_colon > 0 => "mismatched input '<EOF>' expecting ')'".to_owned(),
            ")" => "missing ')' at '<EOF>'".to_owned(),
            _ => format!("mismatched input '<EOF>' expecting {{'{close}', ','}}"),
        })
    }

    fn undecided(&self) -> SyntaxError {
        SyntaxError::Undecided(format!(
            "a syntax error at offset {}",
            self.tokens[self.next].at
        ))
    }

    /// An operand after a binary operator: missing at the very end of the
    /// expression, outside any bracket, ANTLR says what it expected.
    fn operand<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        if self.peek() == &Tok::Eof && self.depth == 0 {
            return Err(SyntaxError::Known(format!(
                "mismatched input '<EOF>' expecting {EXPRESSION_START}"
            )));
        }
        // An operator where an operand starts, an operand after it: ANTLR
        // deletes the operator and goes on.
        let operator = matches!(
            self.peek(),
            Tok::Punct("*" | "/" | "%" | "+" | "<" | "<=" | ">" | ">=" | "==" | "!=" | "&&" | "||")
        );
        let starts = |kind: &Tok| match kind {
            Tok::Punct(p) => ["[", "{", "(", ".", "-", "!"].contains(p),
            Tok::Eof => false,
            _ => true,
        };
        if operator && self.depth == 0 && starts(&self.tokens[self.next + 1].kind) {
            if self.recovered.is_some() {
                return Err(self.undecided());
            }
            let token = &self.tokens[self.next];
            self.recovered = Some(format!(
                "extraneous input '{}' expecting {EXPRESSION_START}",
                &self.text[token.at..token.end]
            ));
            self.bump();
        }
        parse(self)
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        if self.depth > MAX_DEPTH || self.nesting > MAX_DEPTH {
            return Err(self.undecided());
        }
        let condition = self.or()?;
        if !self.eat("?") {
            return Ok(condition);
        }
        self.pending_colon += 1;
        let yes = self.operand(Self::or);
        self.pending_colon -= 1;
        let yes = yes?;
        if self.ends_at(0) {
            return Err(SyntaxError::Known(
                "mismatched input '<EOF>' expecting ':'".to_owned(),
            ));
        }
        self.expect(":")?;
        self.nesting += 1;
        let no = self.operand(Self::expr);
        self.nesting -= 1;
        let no = no?;
        Ok(call("_?_:_", vec![condition, yes, no]))
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.and()?;
        while self.eat("||") {
            let right = self.operand(Self::and)?;
            left = call("_||_", vec![left, right]);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.relation()?;
        while self.eat("&&") {
            let right = self.operand(Self::relation)?;
            left = call("_&&_", vec![left, right]);
        }
        Ok(left)
    }

    fn relation(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.addition()?;
        loop {
            let function = match self.peek() {
                Tok::Punct("<") => "_<_",
                Tok::Punct("<=") => "_<=_",
                Tok::Punct(">") => "_>_",
                Tok::Punct(">=") => "_>=_",
                Tok::Punct("==") => "_==_",
                Tok::Punct("!=") => "_!=_",
                Tok::Punct("in") => "@in",
                _ => return Ok(left),
            };
            self.bump();
            let right = self.operand(Self::addition)?;
            left = call(function, vec![left, right]);
        }
    }

    fn addition(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.multiplication()?;
        loop {
            let function = match self.peek() {
                Tok::Punct("+") => "_+_",
                Tok::Punct("-") => "_-_",
                _ => return Ok(left),
            };
            self.bump();
            let right = self.operand(Self::multiplication)?;
            left = call(function, vec![left, right]);
        }
    }

    fn multiplication(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let function = match self.peek() {
                Tok::Punct("*") => "_*_",
                Tok::Punct("/") => "_/_",
                Tok::Punct("%") => "_%_",
                _ => return Ok(left),
            };
            self.bump();
            let right = self.operand(Self::unary)?;
            left = call(function, vec![left, right]);
        }
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        for (punct, function) in [("!", "!_"), ("-", "-_")] {
            if !matches!(self.peek(), Tok::Punct(p) if *p == punct) {
                continue;
            }
            // `-` before a number is the number's sign (`-9223372036854775808`
            // is a valid int).
            if punct == "-"
                && matches!(
                    self.tokens[self.next + 1].kind,
                    Tok::Int | Tok::Uint | Tok::Double
                )
            {
                break;
            }
            let mut count = 0;
            while self.eat(punct) {
                count += 1;
            }
            if self.peek() == &Tok::Eof {
                return Err(self.undecided());
            }
            let operand = self.member()?;
            // cel-go drops pairs of the same unary operator.
            return Ok(if count % 2 == 0 {
                operand
            } else {
                call(function, vec![operand])
            });
        }
        self.member()
    }

    fn member(&mut self) -> Result<Expr, SyntaxError> {
        let mut expr = self.primary()?;
        loop {
            if self.eat(".") {
                if self.ends_at(0) {
                    return Err(SyntaxError::Known(
                        "no viable alternative at input '.'".to_owned(),
                    ));
                }
                let Tok::Ident(name) = self.peek().clone() else {
                    return Err(self.undecided());
                };
                self.ident_ok(&name)?;
                self.bump();
                if self.peek() == &Tok::Punct("(") {
                    let args = self.args()?;
                    expr = Expr::Call {
                        target: Some(Box::new(expr)),
                        function: name,
                        args,
                    };
                } else {
                    expr = Expr::Select {
                        operand: Box::new(expr),
                        field: name,
                    };
                }
            } else if self.peek() == &Tok::Punct("[") {
                self.bump();
                self.depth += 1;
                if self.peek() == &Tok::Punct("?") {
                    return Err(self.undecided());
                }
                let index = self.expr()?;
                self.expect("]")?;
                self.depth -= 1;
                expr = call("_[_]", vec![expr, index]);
            } else if self.peek() == &Tok::Punct("{") {
                // Message construction: not modelled.
                return Err(self.undecided());
            } else {
                return Ok(expr);
            }
        }
    }

    fn ident_ok(&self, name: &str) -> Result<(), SyntaxError> {
        if RESERVED.contains(&name) {
            return Err(self.undecided());
        }
        Ok(())
    }

    fn args(&mut self) -> Result<Vec<Expr>, SyntaxError> {
        self.expect("(")?;
        self.depth += 1;
        let mut args = Vec::new();
        if !self.eat(")") {
            loop {
                args.push(self.expr()?);
                if self.eat(")") {
                    break;
                }
                if self.ends_at(1) {
                    return Err(self.unclosed(")"));
                }
                self.expect(",")?;
            }
        }
        self.depth -= 1;
        Ok(args)
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let token = self.bump();
        let text = &self.text[token.at..token.end];
        let literal = |literal| Ok(Expr::Literal(literal));
        match token.kind {
            Tok::Ident(name) => {
                self.ident_ok(&name)?;
                if self.peek() == &Tok::Punct("(") {
                    let args = self.args()?;
                    return Ok(call(&name, args));
                }
                Ok(Expr::Ident(name))
            }
            Tok::Punct("-") => {
                // A signed number (see `unary`).
                let number = self.bump();
                let digits = &self.text[number.at..number.end];
                match number.kind {
                    Tok::Int if int_fits(digits, true) => literal(Literal::Int),
                    Tok::Uint => Err(self.undecided()),
                    Tok::Double => literal(Literal::Double),
                    _ => Err(self.undecided()),
                }
            }
            Tok::Int if int_fits(text, false) => literal(Literal::Int),
            Tok::Uint if uint_fits(text) => literal(Literal::Uint),
            Tok::Double => literal(Literal::Double),
            Tok::String => literal(Literal::String(string_value(text))),
            Tok::Bytes => literal(Literal::Bytes),
            Tok::True | Tok::False => literal(Literal::Bool),
            Tok::Null => literal(Literal::Null),
            Tok::Punct("(") => {
                self.depth += 1;
                let inner = self.expr()?;
                if self.ends_at(1) {
                    return Err(self.unclosed(")"));
                }
                self.expect(")")?;
                self.depth -= 1;
                Ok(inner)
            }
            Tok::Punct("[") => {
                self.depth += 1;
                let mut items = Vec::new();
                while !self.eat("]") {
                    if self.peek() == &Tok::Punct("?") {
                        return Err(self.undecided());
                    }
                    items.push(self.expr()?);
                    if self.ends_at(1) {
                        return Err(self.unclosed("]"));
                    }
                    if !self.eat(",") {
                        self.expect("]")?;
                        break;
                    }
                }
                self.depth -= 1;
                Ok(Expr::List(items))
            }
            Tok::Punct("{") => {
                self.depth += 1;
                let mut entries = Vec::new();
                while !self.eat("}") {
                    if self.peek() == &Tok::Punct("?") {
                        return Err(self.undecided());
                    }
                    let key = self.expr()?;
                    self.expect(":")?;
                    let value = self.expr()?;
                    entries.push((key, value));
                    if self.ends_at(1) {
                        return Err(self.unclosed("}"));
                    }
                    if !self.eat(",") {
                        self.expect("}")?;
                        break;
                    }
                }
                self.depth -= 1;
                Ok(Expr::Map(entries))
            }
            _ => {
                self.next -= usize::from(token.kind != Tok::Eof);
                Err(self.undecided())
            }
        }
    }
}

/// Whether an int literal fits in an int64 (`negative`: after a `-`).
fn int_fits(text: &str, negative: bool) -> bool {
    let value = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse::<u64>().ok(),
    };
    value.is_some_and(|v| v <= i64::MAX as u64 + u64::from(negative))
}

fn uint_fits(text: &str) -> bool {
    let text = &text[..text.len() - 1];
    match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).is_ok(),
        None => text.parse::<u64>().is_ok(),
    }
}

/// The value of a string literal (`'a'`, `"a"`, `'''a'''`, `r'a'`) whose
/// escapes are only `\\`, `\'`, `\"`, `\n`, `\t`, `\r`; `None` for others.
fn string_value(text: &str) -> Option<String> {
    let (raw, text) = match text.strip_prefix(['r', 'R']) {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let quote = if text.starts_with("\'\'\'") || text.starts_with("\"\"\"") {
        3
    } else {
        1
    };
    let inner = text.get(quote..text.len().checked_sub(quote)?)?;
    if raw {
        return Some(inner.to_owned());
    }
    let mut value = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        value.push(match chars.next()? {
            '\\' => '\\',
            '\'' => '\'',
            '"' => '"',
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(value)
}
