//! Enums, as prost-build writes them: an `i32` enum with a variant per
//! distinct number (aliases after the first are left out), then
//! `as_str_name` and `from_str_name`.

use std::collections::{HashMap, HashSet};

use super::{
    context::FileWriter,
    names::{strip_enum_prefix, to_upper_camel},
};
use crate::compile::descriptor::EnumDescriptorProto;

/// A variant: the value's index, proto name, number, Rust name and
/// whether it is deprecated.
struct Variant<'a> {
    index: usize,
    proto_name: &'a str,
    number: i32,
    rust_name: String,
    deprecated: bool,
}

impl FileWriter<'_, '_> {
    pub(crate) fn enumeration(&mut self, descriptor: &EnumDescriptorProto) {
        let proto_name = descriptor.name();
        let name = to_upper_camel(proto_name);
        let full_name = self.full_name(proto_name);
        if self.context.extern_paths.resolve(&full_name).is_some() {
            return;
        }
        let variants = variants(&name, descriptor);

        self.doc(&full_name, None);
        self.attributes(&self.options().type_attributes, &full_name);
        self.attributes(&self.options().enum_attributes, &full_name);
        let debug = if self.options().skip_debug.all(&full_name).next().is_some() {
            ""
        } else {
            "Debug, "
        };
        self.out.push_str(&format!(
            "#[derive(Clone, Copy, {debug}PartialEq, Eq, Hash, PartialOrd, Ord, ::prost::Enumeration)]\n#[repr(i32)]\npub enum {name} {{\n"
        ));
        self.path.push(2);
        for variant in &variants {
            self.path.push(variant.index as i32);
            self.doc(&full_name, Some(variant.proto_name));
            self.attributes(
                &self.options().field_attributes,
                &format!("{full_name}.{}", variant.proto_name),
            );
            if variant.deprecated {
                self.out.push_str("#[deprecated]\n");
            }
            self.out
                .push_str(&format!("{} = {},\n", variant.rust_name, variant.number));
            self.path.pop();
        }
        self.path.pop();
        self.out.push_str("}\n");

        self.out.push_str(&format!("impl {name} {{\n"));
        self.out.push_str(concat!(
            "/// String value of the enum field names used in the ProtoBuf definition.\n",
            "///\n",
            "/// The values are not transformed in any way and thus are considered stable\n",
            "/// (if the ProtoBuf definition does not change) and safe for programmatic use.\n",
            "pub fn as_str_name(&self) -> &'static str {\nmatch self {\n",
        ));
        for variant in &variants {
            if variant.deprecated {
                self.out.push_str("#[allow(deprecated)]\n");
            }
            self.out.push_str(&format!(
                "Self::{} => \"{}\",\n",
                variant.rust_name, variant.proto_name
            ));
        }
        self.out.push_str("}\n}\n");
        self.out.push_str(concat!(
            "/// Creates an enum from field names used in the ProtoBuf definition.\n",
            "pub fn from_str_name(value: &str) -> ::core::option::Option<Self> {\nmatch value {\n",
        ));
        for variant in &variants {
            let allow = if variant.deprecated {
                "#[allow(deprecated)] "
            } else {
                ""
            };
            self.out.push_str(&format!(
                "\"{}\" => Some({allow}Self::{}),\n",
                variant.proto_name, variant.rust_name
            ));
        }
        self.out.push_str("_ => None,\n}\n}\n}\n");
    }
}

/// The variants of an enum: the first value of each number, named in
/// upper camel case without the enum's name in front.
///
/// Two values whose Rust names collide make prost-build panic; here the
/// second is left out (the compiler refuses such enums first: protoc's
/// JSON-name check).
fn variants<'a>(enum_name: &str, descriptor: &'a EnumDescriptorProto) -> Vec<Variant<'a>> {
    let mut numbers = HashSet::new();
    let mut names = HashMap::new();
    let mut variants = Vec::new();
    for (index, value) in descriptor.value.iter().enumerate() {
        if !numbers.insert(value.number()) {
            continue;
        }
        let rust_name = strip_enum_prefix(enum_name, &to_upper_camel(value.name()));
        if names.insert(rust_name.clone(), value.name()).is_some() {
            continue;
        }
        variants.push(Variant {
            index,
            proto_name: value.name(),
            number: value.number(),
            rust_name,
            deprecated: value.options.as_ref().is_some_and(|o| o.deprecated()),
        });
    }
    variants
}
