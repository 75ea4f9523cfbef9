//! JSON names as protoc writes them into linked descriptors: every field
//! and extension gets one, the one written with `json_name` or else the
//! field's name with each `_` dropped and the letter after it upper-cased
//! (`foo_bar_1` → `fooBar1`, `_x` → `X`).

use super::descriptor::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto};

/// protoc's default JSON name of the field `name`.
pub fn default_json_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut capitalize = false;
    for c in name.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            out.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Gives every field and extension of `file` that has none its default
/// JSON name.
pub fn fill_json_names(file: &mut FileDescriptorProto) {
    for message in &mut file.message_type {
        fill_message(message);
    }
    for extension in &mut file.extension {
        fill_field(extension);
    }
}

fn fill_message(message: &mut DescriptorProto) {
    for field in message.field.iter_mut().chain(message.extension.iter_mut()) {
        fill_field(field);
    }
    for nested in &mut message.nested_type {
        fill_message(nested);
    }
}

fn fill_field(field: &mut FieldDescriptorProto) {
    if field.json_name.is_none() {
        field.json_name = Some(default_json_name(field.name()));
    }
}

#[cfg(test)]
mod tests {
    use super::default_json_name;

    #[test]
    fn underscores_go_and_the_next_letter_is_upper_cased() {
        assert_eq!(default_json_name("foo_bar"), "fooBar");
        assert_eq!(default_json_name("foo_bar_1"), "fooBar1");
        assert_eq!(default_json_name("_x"), "X");
        assert_eq!(default_json_name("a__b"), "aB");
        assert_eq!(default_json_name("FooBar"), "FooBar");
        assert_eq!(default_json_name("trailing_"), "trailing");
    }
}
