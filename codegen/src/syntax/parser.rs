//! A recursive-descent parser over the token list, one function per
//! construct, stopping at the first error (protoc's wording, located at the
//! offending token).
//!
//! Recursion is bounded: each body, aggregate and list that opens counts
//! one level against the limit, checked before descending, so no input can
//! overflow the stack.

use super::{
    Span, SyntaxError,
    lexer::{Token, TokenKind},
    tree::*,
};

pub(crate) struct Parser<'a> {
    source: &'a str,
    tokens: &'a [Token],
    /// The next token to look at (possibly trivia).
    pos: usize,
    depth: usize,
    max_depth: usize,
    /// Edition 2024 or later: `export`/`local` are keywords.
    visibility: bool,
}

type Result<T> = std::result::Result<T, SyntaxError>;

impl<'a> Parser<'a> {
    pub fn new(source: &'a str, tokens: &'a [Token], max_depth: usize) -> Self {
        Parser {
            source,
            tokens,
            pos: 0,
            depth: 0,
            max_depth,
            visibility: false,
        }
    }

    // ---- token access ----

    /// The index of the next significant token, if any.
    fn peek(&mut self) -> Option<usize> {
        while self.pos < self.tokens.len() && self.tokens[self.pos].kind.is_trivia() {
            self.pos += 1;
        }
        (self.pos < self.tokens.len()).then_some(self.pos)
    }

    /// The significant token after the next one.
    fn peek_second(&mut self) -> Option<&'a Token> {
        let first = self.peek()?;
        self.tokens[first + 1..]
            .iter()
            .find(|t| !t.kind.is_trivia())
    }

    fn text_of(&self, token: &Token) -> &'a str {
        &self.source[token.span.range()]
    }

    fn peek_kind(&mut self) -> Option<TokenKind> {
        self.peek().map(|i| self.tokens[i].kind)
    }

    fn peek_text(&mut self) -> &'a str {
        match self.peek() {
            Some(i) => self.text_of(&self.tokens[i]),
            None => "",
        }
    }

    fn at_ident(&mut self, word: &str) -> bool {
        self.peek_kind() == Some(TokenKind::Ident) && self.peek_text() == word
    }

    fn at_symbol(&mut self, symbol: &str) -> bool {
        self.peek_kind() == Some(TokenKind::Symbol) && self.peek_text() == symbol
    }

    fn bump(&mut self) -> Tok {
        let i = self.peek().expect("bump at a token");
        self.pos = i + 1;
        Tok(i as u32)
    }

    fn eat_symbol(&mut self, symbol: &str) -> Option<Tok> {
        self.at_symbol(symbol).then(|| self.bump())
    }

    fn eat_ident(&mut self, word: &str) -> Option<Tok> {
        self.at_ident(word).then(|| self.bump())
    }

    /// The error located at the next significant token (or the end).
    fn error(&mut self, message: impl Into<String>) -> SyntaxError {
        let span = match self.peek() {
            Some(i) => self.tokens[i].span,
            None => Span::new(self.source.len(), self.source.len()),
        };
        SyntaxError::new(message, span)
    }

    fn expect_symbol(&mut self, symbol: &str) -> Result<Tok> {
        self.eat_symbol(symbol)
            .ok_or_else(|| self.error(format!("Expected \"{symbol}\".")))
    }

    fn expect_kind(&mut self, kind: TokenKind, message: &str) -> Result<Tok> {
        if self.peek_kind() == Some(kind) {
            Ok(self.bump())
        } else {
            Err(self.error(message))
        }
    }

    fn ident(&mut self, message: &str) -> Result<Tok> {
        self.expect_kind(TokenKind::Ident, message)
    }

    fn strings(&mut self, message: &str) -> Result<Strings> {
        let first = self.expect_kind(TokenKind::String, message)?;
        let mut last = first;
        while self.peek_kind() == Some(TokenKind::String) {
            last = self.bump();
        }
        Ok(Strings { first, last })
    }

    /// A dotted name, with an optional leading dot.
    fn path(&mut self, message: &str) -> Result<Path> {
        let dot = self.eat_symbol(".");
        let mut last = self.ident(message)?;
        let first = dot.unwrap_or(last);
        while self.at_symbol(".") {
            self.bump();
            last = self.ident("Expected identifier.")?;
        }
        Ok(Path { first, last })
    }

    fn descend(&mut self) -> Result<()> {
        if self.depth >= self.max_depth {
            return Err(self.error(format!(
                "Nesting is deeper than {} levels, the limit.",
                self.max_depth
            )));
        }
        self.depth += 1;
        Ok(())
    }

    fn ascend(&mut self) {
        self.depth -= 1;
    }

    /// `{ items }`, each item parsed by `item` until `}`.
    fn body<T>(
        &mut self,
        what: &str,
        mut item: impl FnMut(&mut Self) -> Result<T>,
    ) -> Result<Body<T>> {
        if !self.at_symbol("{") {
            return Err(self.error("Expected \"{\"."));
        }
        self.descend()?;
        let open = self.bump();
        let mut items = Vec::new();
        let close = loop {
            if let Some(close) = self.eat_symbol("}") {
                break close;
            }
            if self.peek().is_none() {
                return Err(self.error(format!("Reached end of input in {what} (missing '}}').")));
            }
            items.push(item(self)?);
        };
        self.ascend();
        Ok(Body { open, items, close })
    }

    // ---- file ----

    pub fn file(&mut self) -> Result<Vec<FileItem>> {
        let mut items = Vec::new();
        if self.at_ident("syntax") || self.at_ident("edition") {
            let keyword = self.bump();
            let equals = self.expect_symbol("=")?;
            let value = self.strings("Expected string.")?;
            let semicolon = self.expect_symbol(";")?;
            if self.text_of(&self.tokens[keyword.index()]) == "edition" {
                let text = self.text_of(&self.tokens[value.first.index()]);
                let year: u32 = text.trim_matches(['"', '\'']).parse().unwrap_or(0);
                self.visibility = year >= 2024;
            }
            items.push(FileItem::Syntax(Syntax {
                keyword,
                equals,
                value,
                semicolon,
            }));
        }
        while self.peek().is_some() {
            items.push(self.file_item()?);
        }
        Ok(items)
    }

    fn file_item(&mut self) -> Result<FileItem> {
        if let Some(semicolon) = self.eat_symbol(";") {
            return Ok(FileItem::Empty(semicolon));
        }
        if self.peek_kind() != Some(TokenKind::Ident) {
            return Err(self.error("Expected top-level statement (e.g. \"message\")."));
        }
        Ok(match self.peek_text() {
            "package" => {
                let keyword = self.bump();
                let name = self.path("Expected identifier.")?;
                let semicolon = self.expect_symbol(";")?;
                FileItem::Package(Package {
                    keyword,
                    name,
                    semicolon,
                })
            }
            "import" => {
                let keyword = self.bump();
                let modifier = if self.at_ident("public")
                    || self.at_ident("weak")
                    || self.at_ident("option")
                {
                    Some(self.bump())
                } else {
                    None
                };
                let path = self.strings("Expected a string naming the file to import.")?;
                let semicolon = self.expect_symbol(";")?;
                FileItem::Import(Import {
                    keyword,
                    modifier,
                    path,
                    semicolon,
                })
            }
            "option" => FileItem::Option(self.option_decl()?),
            "message" => FileItem::Message(self.message(None)?),
            "enum" => FileItem::Enum(self.enum_(None)?),
            "service" => FileItem::Service(self.service()?),
            "extend" => FileItem::Extend(self.extend()?),
            "export" | "local" if self.visibility => {
                let visibility = Some(self.bump());
                match self.peek_text() {
                    "message" => FileItem::Message(self.message(visibility)?),
                    "enum" => FileItem::Enum(self.enum_(visibility)?),
                    _ => return Err(self.visibility_error()),
                }
            }
            _ => return Err(self.error("Expected top-level statement (e.g. \"message\").")),
        })
    }

    fn visibility_error(&mut self) -> SyntaxError {
        self.error(
            "'local' and 'export' visibility modifiers are valid only on 'message' and 'enum'",
        )
    }

    // ---- options ----

    fn option_decl(&mut self) -> Result<OptionDecl> {
        let keyword = self.bump();
        let name = self.option_name()?;
        let equals = self.expect_symbol("=")?;
        let value = self.option_value()?;
        let semicolon = self.expect_symbol(";")?;
        Ok(OptionDecl {
            keyword,
            name,
            equals,
            value,
            semicolon,
        })
    }

    fn option_name(&mut self) -> Result<OptionName> {
        let mut parts = Vec::new();
        let mut dot = None;
        loop {
            let kind = if let Some(open) = self.eat_symbol("(") {
                let name = self.path("Expected identifier.")?;
                let close = self.expect_symbol(")")?;
                OptionNamePartKind::Extension { open, name, close }
            } else {
                OptionNamePartKind::Simple(self.ident("Expected identifier.")?)
            };
            parts.push(OptionNamePart { dot, kind });
            dot = self.eat_symbol(".");
            if dot.is_none() {
                break;
            }
        }
        Ok(OptionName { parts })
    }

    /// The value of an `option` statement or a compact option.
    fn option_value(&mut self) -> Result<Value> {
        match self.peek_kind() {
            Some(TokenKind::Symbol) if self.at_symbol("{") => {
                Ok(Value::Aggregate(Box::new(self.aggregate()?)))
            }
            Some(TokenKind::Symbol) if self.at_symbol("-") => {
                let sign = Some(self.bump());
                match self.peek_kind() {
                    Some(TokenKind::Int | TokenKind::Float | TokenKind::Ident) => {
                        Ok(Value::Number {
                            sign,
                            value: self.bump(),
                        })
                    }
                    _ => Err(self.error("Expected option value.")),
                }
            }
            _ => self.scalar("Expected option value."),
        }
    }

    /// An unsigned number, an identifier or strings.
    fn scalar(&mut self, message: &str) -> Result<Value> {
        match self.peek_kind() {
            Some(TokenKind::Int | TokenKind::Float) => Ok(Value::Number {
                sign: None,
                value: self.bump(),
            }),
            Some(TokenKind::Ident) => Ok(Value::Ident(self.bump())),
            Some(TokenKind::String) => Ok(Value::String(self.strings(message)?)),
            _ => Err(self.error(message)),
        }
    }

    /// A text-format message in `{}` or `<>`.
    fn aggregate(&mut self) -> Result<Aggregate> {
        self.descend()?;
        let open = self.bump();
        let closing = if self.text_of(&self.tokens[open.index()]) == "<" {
            ">"
        } else {
            "}"
        };
        let mut fields = Vec::new();
        let close = loop {
            if let Some(close) = self.eat_symbol(closing) {
                break close;
            }
            if self.peek().is_none() {
                return Err(self.error(format!(
                    "Reached end of input in aggregate value (missing '{closing}')."
                )));
            }
            fields.push(self.aggregate_field()?);
        };
        self.ascend();
        Ok(Aggregate {
            open,
            fields,
            close,
        })
    }

    fn aggregate_field(&mut self) -> Result<AggregateField> {
        let name = if let Some(open) = self.eat_symbol("[") {
            let first = match self.peek_kind() {
                Some(TokenKind::Ident) => self.bump(),
                _ => return Err(self.error("Expected identifier.")),
            };
            let mut last = first;
            // `[pkg.ext]` or `[type.googleapis.com/pkg.Type]`.
            while self.at_symbol(".") || self.at_symbol("/") {
                self.bump();
                last = self.ident("Expected identifier.")?;
            }
            let close = self.expect_symbol("]")?;
            AggregateName::Bracketed {
                open,
                first,
                last,
                close,
            }
        } else {
            AggregateName::Ident(self.ident("Expected identifier.")?)
        };
        let colon = self.eat_symbol(":");
        let value = if self.at_symbol("{") || self.at_symbol("<") {
            Value::Aggregate(Box::new(self.aggregate()?))
        } else if self.at_symbol("[") {
            Value::List(Box::new(self.list()?))
        } else if colon.is_none() {
            return Err(self.error("Expected \":\"."));
        } else {
            self.text_scalar()?
        };
        let separator = self.eat_symbol(",").or_else(|| self.eat_symbol(";"));
        Ok(AggregateField {
            name,
            colon,
            value,
            separator,
        })
    }

    /// A scalar in text format: signs allowed before numbers and identifiers.
    fn text_scalar(&mut self) -> Result<Value> {
        if self.at_symbol("-") || self.at_symbol("+") {
            let sign = Some(self.bump());
            return match self.peek_kind() {
                Some(TokenKind::Int | TokenKind::Float | TokenKind::Ident) => Ok(Value::Number {
                    sign,
                    value: self.bump(),
                }),
                _ => Err(self.error("Expected number.")),
            };
        }
        self.scalar("Expected value.")
    }

    fn list(&mut self) -> Result<List> {
        self.descend()?;
        let open = self.bump();
        let mut elements = Vec::new();
        if !self.at_symbol("]") {
            loop {
                let item = if self.at_symbol("{") || self.at_symbol("<") {
                    Value::Aggregate(Box::new(self.aggregate()?))
                } else {
                    self.text_scalar()?
                };
                let comma = self.eat_symbol(",");
                let done = comma.is_none();
                elements.push(Listed { item, comma });
                if done {
                    break;
                }
            }
        }
        let close = self.expect_symbol("]")?;
        self.ascend();
        Ok(List {
            open,
            elements,
            close,
        })
    }

    fn compact_options(&mut self) -> Result<Option<CompactOptions>> {
        let Some(open) = self.eat_symbol("[") else {
            return Ok(None);
        };
        let mut options = Vec::new();
        loop {
            let name = self.option_name()?;
            let equals = self.expect_symbol("=")?;
            let value = self.option_value()?;
            let comma = self.eat_symbol(",");
            let done = comma.is_none();
            options.push(Listed {
                item: CompactOption {
                    name,
                    equals,
                    value,
                },
                comma,
            });
            if done {
                break;
            }
        }
        let close = self.expect_symbol("]")?;
        Ok(Some(CompactOptions {
            open,
            options,
            close,
        }))
    }

    // ---- messages ----

    fn message(&mut self, visibility: Option<Tok>) -> Result<Message> {
        let keyword = self.bump();
        let name = self.ident("Expected message name.")?;
        let body = self.body("message definition", Self::message_item)?;
        Ok(Message {
            visibility,
            keyword,
            name,
            body,
        })
    }

    fn message_item(&mut self) -> Result<MessageItem> {
        if let Some(semicolon) = self.eat_symbol(";") {
            return Ok(MessageItem::Empty(semicolon));
        }
        Ok(match self.peek_text() {
            "message" => MessageItem::Message(self.message(None)?),
            "enum" => MessageItem::Enum(self.enum_(None)?),
            "extensions" => MessageItem::Extensions(self.extensions()?),
            "reserved" => MessageItem::Reserved(self.reserved()?),
            "extend" => MessageItem::Extend(self.extend()?),
            "option" => MessageItem::Option(self.option_decl()?),
            "oneof" => MessageItem::Oneof(self.oneof()?),
            "export" | "local" if self.visibility => {
                let visibility = Some(self.bump());
                match self.peek_text() {
                    "message" => MessageItem::Message(self.message(visibility)?),
                    "enum" => MessageItem::Enum(self.enum_(visibility)?),
                    _ => return Err(self.visibility_error()),
                }
            }
            _ => match self.field(true)? {
                FieldOrGroup::Field(field) => MessageItem::Field(field),
                FieldOrGroup::Group(group) => MessageItem::Group(group),
            },
        })
    }

    fn field(&mut self, labels: bool) -> Result<FieldOrGroup> {
        let label = if self.at_ident("optional")
            || self.at_ident("required")
            || self.at_ident("repeated")
        {
            if !labels {
                return Err(self.error(
                    "Fields in oneofs must not have labels (required / optional / repeated).",
                ));
            }
            Some(self.bump())
        } else {
            None
        };
        // `group` and `stream` are keywords wherever protoc looks for them.
        if self.at_ident("group") {
            let keyword = self.bump();
            let name = self.ident("Expected group name.")?;
            let equals = self.expect_symbol("=")?;
            let number = self.expect_kind(TokenKind::Int, "Expected field number.")?;
            let options = self.compact_options()?;
            let body = self.body("group definition", Self::message_item)?;
            return Ok(FieldOrGroup::Group(Group {
                label,
                keyword,
                name,
                equals,
                number,
                options,
                body,
            }));
        }
        let ty = if self.at_ident("map")
            && self
                .peek_second()
                .is_some_and(|t| t.kind == TokenKind::Symbol && self.text_of(t) == "<")
        {
            let keyword = self.bump();
            let open = self.bump();
            let key = self.path("Expected type name.")?;
            let comma = self.expect_symbol(",")?;
            let value = self.path("Expected type name.")?;
            let close = self.expect_symbol(">")?;
            FieldType::Map(MapType {
                keyword,
                open,
                key,
                comma,
                value,
                close,
            })
        } else {
            FieldType::Named(self.path("Expected type name.")?)
        };
        let name = self.ident("Expected field name.")?;
        let equals = self.expect_symbol("=")?;
        let number = self.expect_kind(TokenKind::Int, "Expected field number.")?;
        let options = self.compact_options()?;
        let semicolon = self.expect_symbol(";")?;
        Ok(FieldOrGroup::Field(Field {
            label,
            ty,
            name,
            equals,
            number,
            options,
            semicolon,
        }))
    }

    fn oneof(&mut self) -> Result<Oneof> {
        let keyword = self.bump();
        let name = self.ident("Expected oneof name.")?;
        let body = self.body("oneof definition", |p| {
            if let Some(semicolon) = p.eat_symbol(";") {
                return Ok(OneofItem::Empty(semicolon));
            }
            if p.at_ident("option") {
                return Ok(OneofItem::Option(p.option_decl()?));
            }
            Ok(match p.field(false)? {
                FieldOrGroup::Field(field) => OneofItem::Field(field),
                FieldOrGroup::Group(group) => OneofItem::Group(group),
            })
        })?;
        Ok(Oneof {
            keyword,
            name,
            body,
        })
    }

    fn extend(&mut self) -> Result<Extend> {
        let keyword = self.bump();
        let extendee = self.path("Expected type name.")?;
        let body = self.body("extend block", |p| {
            if let Some(semicolon) = p.eat_symbol(";") {
                return Ok(ExtendItem::Empty(semicolon));
            }
            Ok(match p.field(true)? {
                FieldOrGroup::Field(field) => ExtendItem::Field(field),
                FieldOrGroup::Group(group) => ExtendItem::Group(group),
            })
        })?;
        Ok(Extend {
            keyword,
            extendee,
            body,
        })
    }

    fn range(&mut self, negative: bool) -> Result<Range> {
        let start_sign = if negative { self.eat_symbol("-") } else { None };
        let start = self.expect_kind(TokenKind::Int, "Expected field number range.")?;
        let end = match self.eat_ident("to") {
            Some(to) => {
                if let Some(end) = self.eat_ident("max") {
                    Some(RangeEnd {
                        to,
                        sign: None,
                        end,
                    })
                } else {
                    let sign = if negative { self.eat_symbol("-") } else { None };
                    let end = self.expect_kind(TokenKind::Int, "Expected integer.")?;
                    Some(RangeEnd { to, sign, end })
                }
            }
            None => None,
        };
        Ok(Range {
            start_sign,
            start,
            end,
        })
    }

    fn ranges(&mut self, negative: bool) -> Result<Vec<Listed<Range>>> {
        let mut ranges = Vec::new();
        loop {
            let item = self.range(negative)?;
            let comma = self.eat_symbol(",");
            let done = comma.is_none();
            ranges.push(Listed { item, comma });
            if done {
                return Ok(ranges);
            }
        }
    }

    fn extensions(&mut self) -> Result<Extensions> {
        let keyword = self.bump();
        let ranges = self.ranges(false)?;
        let options = self.compact_options()?;
        let semicolon = self.expect_symbol(";")?;
        Ok(Extensions {
            keyword,
            ranges,
            options,
            semicolon,
        })
    }

    /// `reserved` in a message (`negative` false) or an enum.
    fn reserved(&mut self) -> Result<Reserved> {
        let keyword = self.bump();
        let kind = match self.peek_kind() {
            Some(first @ (TokenKind::String | TokenKind::Ident)) => {
                // Names as strings (proto2, proto3) or identifiers
                // (editions), even mixed: buf formats them all as written,
                // and the compiler refuses what protoc refuses (see
                // `compile::lower`).
                let expected = if first == TokenKind::String {
                    "Expected field name string literal."
                } else {
                    "Expected field name identifier."
                };
                let mut names = Vec::new();
                loop {
                    let item = match self.peek_kind() {
                        Some(TokenKind::Ident) => ReservedName::Ident(self.ident(expected)?),
                        _ => ReservedName::String(self.strings(expected)?),
                    };
                    let comma = self.eat_symbol(",");
                    let done = comma.is_none();
                    names.push(Listed { item, comma });
                    if done {
                        break;
                    }
                }
                ReservedKind::Names(names)
            }
            _ => ReservedKind::Ranges(self.ranges(true)?),
        };
        let semicolon = self.expect_symbol(";")?;
        Ok(Reserved {
            keyword,
            kind,
            semicolon,
        })
    }

    // ---- enums ----

    fn enum_(&mut self, visibility: Option<Tok>) -> Result<Enum> {
        let keyword = self.bump();
        let name = self.ident("Expected enum name.")?;
        let body = self.body("enum definition", |p| {
            if let Some(semicolon) = p.eat_symbol(";") {
                return Ok(EnumItem::Empty(semicolon));
            }
            Ok(match p.peek_text() {
                "option" => EnumItem::Option(p.option_decl()?),
                "reserved" => EnumItem::Reserved(p.reserved()?),
                _ => EnumItem::Value(p.enum_value()?),
            })
        })?;
        Ok(Enum {
            visibility,
            keyword,
            name,
            body,
        })
    }

    fn enum_value(&mut self) -> Result<EnumValue> {
        let name = self.ident("Expected enum constant name.")?;
        let equals = self.expect_symbol("=")?;
        let sign = self.eat_symbol("-");
        let number = self.expect_kind(TokenKind::Int, "Expected integer.")?;
        let options = self.compact_options()?;
        let semicolon = self.expect_symbol(";")?;
        Ok(EnumValue {
            name,
            equals,
            sign,
            number,
            options,
            semicolon,
        })
    }

    // ---- services ----

    fn service(&mut self) -> Result<Service> {
        let keyword = self.bump();
        let name = self.ident("Expected service name.")?;
        let body = self.body("service definition", |p| {
            if let Some(semicolon) = p.eat_symbol(";") {
                return Ok(ServiceItem::Empty(semicolon));
            }
            if p.at_ident("option") {
                return Ok(ServiceItem::Option(p.option_decl()?));
            }
            Ok(ServiceItem::Rpc(p.rpc()?))
        })?;
        Ok(Service {
            keyword,
            name,
            body,
        })
    }

    fn rpc(&mut self) -> Result<Rpc> {
        let keyword = self
            .eat_ident("rpc")
            .ok_or_else(|| self.error("Expected \"rpc\"."))?;
        let name = self.ident("Expected method name.")?;
        let input = self.rpc_type()?;
        let returns = self
            .eat_ident("returns")
            .ok_or_else(|| self.error("Expected \"returns\"."))?;
        let output = self.rpc_type()?;
        let end = match self.eat_symbol(";") {
            Some(semicolon) => RpcEnd::Semicolon(semicolon),
            None if self.at_symbol("{") => RpcEnd::Body(self.body("method definition", |p| {
                if let Some(semicolon) = p.eat_symbol(";") {
                    return Ok(RpcItem::Empty(semicolon));
                }
                if p.at_ident("option") {
                    return Ok(RpcItem::Option(p.option_decl()?));
                }
                Err(p.error("Expected \"option\"."))
            })?),
            None => return Err(self.error("Expected \";\".")),
        };
        Ok(Rpc {
            keyword,
            name,
            input,
            returns,
            output,
            end,
        })
    }

    fn rpc_type(&mut self) -> Result<RpcType> {
        let open = self.expect_symbol("(")?;
        let stream = if self.at_ident("stream") {
            Some(self.bump())
        } else {
            None
        };
        let ty = self.path("Expected type name.")?;
        let close = self.expect_symbol(")")?;
        Ok(RpcType {
            open,
            stream,
            ty,
            close,
        })
    }
}

enum FieldOrGroup {
    Field(Field),
    Group(Group),
}
