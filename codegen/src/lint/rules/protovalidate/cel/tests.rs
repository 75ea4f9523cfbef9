//! The checker on expressions over an `int` (`this`), as buf 1.75 answers
//! them (`lint_buf.rs` compares the rest against buf itself).

use prost_reflect::DescriptorPool;

use super::{Compiled, Env, Type, compile};

fn on_int(text: &str) -> Compiled {
    compile(
        text,
        &DescriptorPool::new(),
        Env {
            this: Type::Int,
            predefined: None,
        },
    )
}

fn errors(text: &str) -> Vec<String> {
    match on_int(text) {
        Compiled::Errors(errors) => errors,
        other => panic!("{text}: {other:?}"),
    }
}

#[test]
fn typed() {
    for (text, ty) in [
        ("this > 1", Type::Bool),
        ("this > 1.0 && this < 2u", Type::Bool),
        ("this in [1, 2] ? 'a' : ''", Type::String),
        ("dyn(this) > 'a'", Type::Bool),
        ("string(this).size() > 2", Type::Bool),
        ("[1, 2].all(x, x > this)", Type::Bool),
        ("[1, 2].map(x, x * 2)", Type::list(Type::Int)),
        ("{'a': 1}.exists(k, k.startsWith('a'))", Type::Bool),
        ("now - duration('1s') < timestamp(this)", Type::Bool),
        ("-9223372036854775808 < this", Type::Bool),
        ("'a\\u00e9\\x41' + r'\\d' + '''x'''", Type::String),
        ("[1, 'a']", Type::list(Type::Dyn)),
        ("!!(this > 1)", Type::Bool),
        ("int", Type::Kind(Box::new(Type::Int))),
        ("this // a comment\n > 1", Type::Bool),
    ] {
        assert_eq!(on_int(text), Compiled::Typed(ty), "{text}");
    }
}

#[test]
fn errors_in_cel_go_words() {
    assert_eq!(
        errors("this > 'a'"),
        ["found no matching overload for '_>_' applied to '(int, string)'"]
    );
    assert_eq!(
        errors("foo > bar"),
        [
            "undeclared reference to 'foo' (in container '')",
            "undeclared reference to 'bar' (in container '')"
        ]
    );
    assert_eq!(
        errors("this.foo"),
        ["type 'int' does not support field selection"]
    );
    assert_eq!(
        errors("1 && 'a'"),
        [
            "expected type 'bool' but found 'int'",
            "expected type 'bool' but found 'string'"
        ]
    );
    assert_eq!(
        errors("this +"),
        [
            "mismatched input '<EOF>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', \
          'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"
        ]
    );
    assert_eq!(
        errors("this > 1 )"),
        ["extraneous input ')' expecting <EOF>"]
    );
    assert_eq!(
        errors("this > 1 ))"),
        ["mismatched input ')' expecting <EOF>"]
    );
    assert_eq!(errors("size(this"), ["missing ')' at '<EOF>'"]);
    assert_eq!(
        errors("this >> 1"),
        [
            "extraneous input '>' expecting {'[', '{', '(', '.', '-', '!', 'true', 'false', \
          'null', NUM_FLOAT, NUM_INT, NUM_UINT, STRING, BYTES, IDENTIFIER}"
        ]
    );
    assert_eq!(
        errors("this ? 1"),
        ["mismatched input '<EOF>' expecting ':'"]
    );
    assert_eq!(
        errors("'a'.startsWith(1)"),
        ["found no matching overload for 'startsWith' applied to 'string.(int)'"]
    );
    assert_eq!(
        errors("this.all(x, x)"),
        [
            "expression of type 'int' cannot be range of a comprehension (must be list, map, or \
          dynamic)"
        ]
    );
}

#[test]
fn undecided() {
    for text in [
        "this > ",
        "(this > ",
        "this > * 1 >> 2",
        "((1 + 2",
        "this #",
        "'abc",
        "'\\q'",
        "a.B{x: 1}",
        "9223372036854775808",
        "'%d'.format([1]) + '\\u00e9%d'.format([1])",
        "strings.quote('a')",
        "has(this)",
        "[1].all(1, true)",
        "[1].all(x.y, true)",
        "if",
        "type == type(1)",
    ] {
        if text == "this > " {
            // A known syntax error, worded as cel-go's.
            assert!(matches!(on_int(text), Compiled::Errors(_)));
            continue;
        }
        assert!(
            matches!(on_int(text), Compiled::Undecided(_)),
            "{text}: {:?}",
            on_int(text)
        );
    }
}

/// Long chains and deep nesting stay within the stack: checked, or left
/// undecided past the bounds.
#[test]
fn long_expressions() {
    let chain = vec!["this"; 290].join(" + ");
    assert_eq!(on_int(&format!("{chain} > 1")), Compiled::Typed(Type::Bool));
    let conditional = vec!["this > 1 ? 1 :"; 120].join(" ") + " 2";
    assert!(matches!(on_int(&conditional), Compiled::Undecided(_)));
    let nested = "(".repeat(90) + "this" + &")".repeat(90);
    assert_eq!(on_int(&nested), Compiled::Typed(Type::Int));
    let long = vec!["this"; 400].join(" + ");
    assert!(matches!(on_int(&long), Compiled::Undecided(_)));
}
