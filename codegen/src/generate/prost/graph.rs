//! The message graph: which messages reach which through singular message
//! fields, to box a field whose type contains its own message (a struct
//! cannot hold itself), and which messages may derive `Copy` and `Eq`.
//!
//! As in prost-build, an edge is a non-repeated field of type message
//! (groups do not count as edges, but a group field to a message that
//! reaches back is boxed too); the graph spans every file of the set.

use std::collections::{HashMap, HashSet};

use crate::compile::descriptor::{
    DescriptorProto, FileDescriptorProto,
    field_descriptor_proto::{Label, Type},
};

/// Every message of the set by full name (`.pkg.Outer.Inner`), with its
/// outgoing edges.
pub(crate) struct MessageGraph<'a> {
    messages: HashMap<String, &'a DescriptorProto>,
    edges: HashMap<String, Vec<&'a str>>,
    /// Every name that is a node: the messages and every field's target
    /// (an extern type's name is a node too, with no edges).
    nodes: HashSet<String>,
}

impl<'a> MessageGraph<'a> {
    pub(crate) fn new(files: &'a [FileDescriptorProto]) -> Self {
        let mut graph = MessageGraph {
            messages: HashMap::new(),
            edges: HashMap::new(),
            nodes: HashSet::new(),
        };
        for file in files {
            let package = match &file.package {
                Some(package) => format!(".{package}"),
                None => String::new(),
            };
            for message in &file.message_type {
                graph.add(&package, message);
            }
        }
        let targets: Vec<String> = graph
            .edges
            .values()
            .flatten()
            .map(|t| (*t).to_owned())
            .collect();
        graph.nodes.extend(graph.edges.keys().cloned());
        graph.nodes.extend(targets);
        graph
    }

    fn add(&mut self, scope: &str, message: &'a DescriptorProto) {
        let name = format!("{scope}.{}", message.name());
        let edges = message
            .field
            .iter()
            .filter(|f| f.r#type() == Type::Message && f.label() != Label::Repeated)
            .map(|f| f.type_name())
            .collect();
        self.edges.insert(name.clone(), edges);
        self.messages.insert(name.clone(), message);
        for nested in &message.nested_type {
            self.add(&name, nested);
        }
    }

    pub(crate) fn message(&self, name: &str) -> Option<&'a DescriptorProto> {
        self.messages.get(name).copied()
    }

    /// Whether `to` is reachable from `from` (each a message's full name),
    /// `from` itself included.
    pub(crate) fn reaches(&self, from: &str, to: &str) -> bool {
        // Names the graph has never seen reach nothing.
        if !self.nodes.contains(from) || !self.nodes.contains(to) {
            return false;
        }
        let mut seen = HashSet::new();
        let mut stack = vec![from];
        while let Some(name) = stack.pop() {
            if name == to {
                return true;
            }
            if seen.insert(name)
                && let Some(next) = self.edges.get(name)
            {
                stack.extend(next.iter().copied());
            }
        }
        false
    }
}
