//! The syntax tree: every element of a `.proto` file, each holding the
//! [`Tok`]s it is made of (keywords, names, punctuation), so that spans of
//! elements and of their parts come from the tokens, and whitespace and
//! comments sit between them in the token list.
//!
//! Nodes hold token indices, never text: [`File::text`] and [`File::span`]
//! give them. Dotted names and adjacent string literals are token ranges
//! ([`Path`], [`Strings`]) read through [`File::significant`].

/// A token of the [`File`], by index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tok(pub u32);

impl Tok {
    /// The index in [`File::tokens`](super::File::tokens).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A dotted name as written (`foo.Bar`, `.foo.Bar`): identifier and `.`
/// tokens from `first` to `last`, comments allowed between them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Path {
    /// The first identifier, or the leading `.`.
    pub first: Tok,
    /// The last identifier.
    pub last: Tok,
}

/// One or more adjacent string literals (`"a" 'b'`), which protoc
/// concatenates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Strings {
    /// The first literal.
    pub first: Tok,
    /// The last literal (`first` when there is one).
    pub last: Tok,
}

/// A top-level statement.
#[derive(Clone, Debug, PartialEq)]
pub enum FileItem {
    /// `syntax = "proto3";` or `edition = "2023";`.
    Syntax(Syntax),
    /// `package foo.bar;`.
    Package(Package),
    /// `import "a.proto";`, `import public ...`, `import weak ...`,
    /// `import option ...`.
    Import(Import),
    /// `option name = value;`.
    Option(OptionDecl),
    /// `message`.
    Message(Message),
    /// `enum`.
    Enum(Enum),
    /// `service`.
    Service(Service),
    /// `extend`.
    Extend(Extend),
    /// A lone `;`.
    Empty(Tok),
}

/// `syntax = "proto3";` or `edition = "2023";`.
#[derive(Clone, Debug, PartialEq)]
pub struct Syntax {
    /// `syntax` or `edition`.
    pub keyword: Tok,
    /// `=`.
    pub equals: Tok,
    /// The value.
    pub value: Strings,
    /// `;`.
    pub semicolon: Tok,
}

/// `package foo.bar;`.
#[derive(Clone, Debug, PartialEq)]
pub struct Package {
    /// `package`.
    pub keyword: Tok,
    /// The name.
    pub name: Path,
    /// `;`.
    pub semicolon: Tok,
}

/// `import [public|weak|option] "path";`.
#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    /// `import`.
    pub keyword: Tok,
    /// `public`, `weak` or `option`.
    pub modifier: Option<Tok>,
    /// The imported file.
    pub path: Strings,
    /// `;`.
    pub semicolon: Tok,
}

/// `option name = value;` at any level.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionDecl {
    /// `option`.
    pub keyword: Tok,
    /// The name.
    pub name: OptionName,
    /// `=`.
    pub equals: Tok,
    /// The value.
    pub value: Value,
    /// `;`.
    pub semicolon: Tok,
}

/// An option name: `java_package`, `(my.ext).field`, `features.(pb.cpp).x`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionName {
    /// The parts, in order.
    pub parts: Vec<OptionNamePart>,
}

/// One part of an [`OptionName`].
#[derive(Clone, Debug, PartialEq)]
pub struct OptionNamePart {
    /// The `.` before the part (none on the first).
    pub dot: Option<Tok>,
    /// The part.
    pub kind: OptionNamePartKind,
}

/// A simple name or an extension name in parentheses.
#[derive(Clone, Debug, PartialEq)]
pub enum OptionNamePartKind {
    /// `field`.
    Simple(Tok),
    /// `(full.name)` or `(.full.name)`.
    Extension {
        /// `(`.
        open: Tok,
        /// The extension's name.
        name: Path,
        /// `)`.
        close: Tok,
    },
}

impl OptionNamePart {
    /// The first token of the part (its name or its `(`), without the dot.
    pub fn first(&self) -> Tok {
        match &self.kind {
            OptionNamePartKind::Simple(tok) => *tok,
            OptionNamePartKind::Extension { open, .. } => *open,
        }
    }

    /// The last token of the part (its name or its `)`).
    pub fn last(&self) -> Tok {
        match &self.kind {
            OptionNamePartKind::Simple(tok) => *tok,
            OptionNamePartKind::Extension { close, .. } => *close,
        }
    }
}

/// An option value, or a value inside an aggregate.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An identifier: `true`, `SPEED`, `inf`.
    Ident(Tok),
    /// A number, signed or not: `5`, `-1.5`, `-inf`, `-nan` (the value is an
    /// identifier token in the last two).
    Number {
        /// `-` (or `+` inside aggregates).
        sign: Option<Tok>,
        /// The number or identifier.
        value: Tok,
    },
    /// One or more string literals.
    String(Strings),
    /// `{ ... }` (or `< ... >` inside aggregates).
    Aggregate(Box<Aggregate>),
    /// `[ ... ]`, only inside aggregates.
    List(Box<List>),
}

/// A text-format message: `{ a: 1 b { c: "x" } }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Aggregate {
    /// `{` or `<`.
    pub open: Tok,
    /// The fields.
    pub fields: Vec<AggregateField>,
    /// `}` or `>`.
    pub close: Tok,
}

/// One field of an [`Aggregate`]: `name: value`, `name { ... }`,
/// `[ext.name]: value`, with an optional `,` or `;` after it.
#[derive(Clone, Debug, PartialEq)]
pub struct AggregateField {
    /// The field name.
    pub name: AggregateName,
    /// `:` (optional before messages and lists of messages).
    pub colon: Option<Tok>,
    /// The value.
    pub value: Value,
    /// `,` or `;` after the field.
    pub separator: Option<Tok>,
}

/// The name of an [`AggregateField`].
#[derive(Clone, Debug, PartialEq)]
pub enum AggregateName {
    /// `field`.
    Ident(Tok),
    /// `[ext.name]` or `[type.googleapis.com/pkg.Type]`: every token from
    /// `[` to `]`.
    Bracketed {
        /// `[`.
        open: Tok,
        /// The first token of the name.
        first: Tok,
        /// The last token of the name.
        last: Tok,
        /// `]`.
        close: Tok,
    },
}

/// `[ a, b ]` in an aggregate.
#[derive(Clone, Debug, PartialEq)]
pub struct List {
    /// `[`.
    pub open: Tok,
    /// The elements, each with the `,` after it.
    pub elements: Vec<Listed<Value>>,
    /// `]`.
    pub close: Tok,
}

/// An element of a comma-separated list, with its comma.
#[derive(Clone, Debug, PartialEq)]
pub struct Listed<T> {
    /// The element.
    pub item: T,
    /// The `,` after it (none after the last).
    pub comma: Option<Tok>,
}

/// `[a = 1, (b).c = {...}]` after a field, enum value or extension range.
#[derive(Clone, Debug, PartialEq)]
pub struct CompactOptions {
    /// `[`.
    pub open: Tok,
    /// The options, each with the `,` after it.
    pub options: Vec<Listed<CompactOption>>,
    /// `]`.
    pub close: Tok,
}

/// `name = value` in [`CompactOptions`].
#[derive(Clone, Debug, PartialEq)]
pub struct CompactOption {
    /// The name.
    pub name: OptionName,
    /// `=`.
    pub equals: Tok,
    /// The value.
    pub value: Value,
}

/// `{ ... }` of a message, enum, service, oneof, extend or rpc.
#[derive(Clone, Debug, PartialEq)]
pub struct Body<T> {
    /// `{`.
    pub open: Tok,
    /// The statements.
    pub items: Vec<T>,
    /// `}`.
    pub close: Tok,
}

/// `[export|local] message Name { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// `export` or `local` (edition 2024).
    pub visibility: Option<Tok>,
    /// `message`.
    pub keyword: Tok,
    /// The name.
    pub name: Tok,
    /// The body.
    pub body: Body<MessageItem>,
}

/// A statement in a message.
#[derive(Clone, Debug, PartialEq)]
pub enum MessageItem {
    /// A field, map field included.
    Field(Field),
    /// A group.
    Group(Group),
    /// `oneof`.
    Oneof(Oneof),
    /// A nested message.
    Message(Message),
    /// A nested enum.
    Enum(Enum),
    /// A nested `extend`.
    Extend(Extend),
    /// `extensions`.
    Extensions(Extensions),
    /// `reserved`.
    Reserved(Reserved),
    /// `option`.
    Option(OptionDecl),
    /// A lone `;`.
    Empty(Tok),
}

/// `[label] type name = number [options];`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// `optional`, `required` or `repeated`.
    pub label: Option<Tok>,
    /// The type.
    pub ty: FieldType,
    /// The name.
    pub name: Tok,
    /// `=`.
    pub equals: Tok,
    /// The number.
    pub number: Tok,
    /// `[...]`.
    pub options: Option<CompactOptions>,
    /// `;`.
    pub semicolon: Tok,
}

/// A field's type.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// A scalar or a message or enum name.
    Named(Path),
    /// `map<K, V>`.
    Map(MapType),
}

/// `map<K, V>`.
#[derive(Clone, Debug, PartialEq)]
pub struct MapType {
    /// `map`.
    pub keyword: Tok,
    /// `<`.
    pub open: Tok,
    /// The key type (a scalar).
    pub key: Path,
    /// `,`.
    pub comma: Tok,
    /// The value type.
    pub value: Path,
    /// `>`.
    pub close: Tok,
}

/// `[label] group Name = number [options] { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// `optional`, `required` or `repeated`.
    pub label: Option<Tok>,
    /// `group`.
    pub keyword: Tok,
    /// The name.
    pub name: Tok,
    /// `=`.
    pub equals: Tok,
    /// The number.
    pub number: Tok,
    /// `[...]`.
    pub options: Option<CompactOptions>,
    /// The body.
    pub body: Body<MessageItem>,
}

/// `oneof name { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Oneof {
    /// `oneof`.
    pub keyword: Tok,
    /// The name.
    pub name: Tok,
    /// The body.
    pub body: Body<OneofItem>,
}

/// A statement in a oneof.
#[derive(Clone, Debug, PartialEq)]
pub enum OneofItem {
    /// A field (no label).
    Field(Field),
    /// A group (no label).
    Group(Group),
    /// `option`.
    Option(OptionDecl),
    /// A lone `;`.
    Empty(Tok),
}

/// `[export|local] enum Name { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Enum {
    /// `export` or `local` (edition 2024).
    pub visibility: Option<Tok>,
    /// `enum`.
    pub keyword: Tok,
    /// The name.
    pub name: Tok,
    /// The body.
    pub body: Body<EnumItem>,
}

/// A statement in an enum.
#[derive(Clone, Debug, PartialEq)]
pub enum EnumItem {
    /// `NAME = number [options];`.
    Value(EnumValue),
    /// `option`.
    Option(OptionDecl),
    /// `reserved`.
    Reserved(Reserved),
    /// A lone `;`.
    Empty(Tok),
}

/// `NAME = number [options];`.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumValue {
    /// The name.
    pub name: Tok,
    /// `=`.
    pub equals: Tok,
    /// `-`.
    pub sign: Option<Tok>,
    /// The number.
    pub number: Tok,
    /// `[...]`.
    pub options: Option<CompactOptions>,
    /// `;`.
    pub semicolon: Tok,
}

/// `extend Type { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Extend {
    /// `extend`.
    pub keyword: Tok,
    /// The extended message.
    pub extendee: Path,
    /// The body.
    pub body: Body<ExtendItem>,
}

/// A statement in an `extend` block.
#[derive(Clone, Debug, PartialEq)]
pub enum ExtendItem {
    /// A field.
    Field(Field),
    /// A group.
    Group(Group),
    /// A lone `;`.
    Empty(Tok),
}

/// `extensions 100 to 199, 500 [options];`.
#[derive(Clone, Debug, PartialEq)]
pub struct Extensions {
    /// `extensions`.
    pub keyword: Tok,
    /// The ranges.
    pub ranges: Vec<Listed<Range>>,
    /// `[...]`.
    pub options: Option<CompactOptions>,
    /// `;`.
    pub semicolon: Tok,
}

/// `reserved ...;` in a message or enum.
#[derive(Clone, Debug, PartialEq)]
pub struct Reserved {
    /// `reserved`.
    pub keyword: Tok,
    /// Numbers or names.
    pub kind: ReservedKind,
    /// `;`.
    pub semicolon: Tok,
}

/// What a `reserved` statement reserves.
#[derive(Clone, Debug, PartialEq)]
pub enum ReservedKind {
    /// Numbers and ranges.
    Ranges(Vec<Listed<Range>>),
    /// Names: string literals (proto2, proto3) or identifiers (editions).
    Names(Vec<Listed<ReservedName>>),
}

/// A reserved name.
#[derive(Clone, Debug, PartialEq)]
pub enum ReservedName {
    /// `"name"` (adjacent literals concatenate).
    String(Strings),
    /// `name` (editions).
    Ident(Tok),
}

/// `5`, `-1`, `1 to 10`, `1 to max`.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// `-` before the start (enums).
    pub start_sign: Option<Tok>,
    /// The start.
    pub start: Tok,
    /// `to` and the end, when a range.
    pub end: Option<RangeEnd>,
}

/// `to end` of a [`Range`].
#[derive(Clone, Debug, PartialEq)]
pub struct RangeEnd {
    /// `to`.
    pub to: Tok,
    /// `-` before the end.
    pub sign: Option<Tok>,
    /// The end number, or `max`.
    pub end: Tok,
}

/// `service Name { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// `service`.
    pub keyword: Tok,
    /// The name.
    pub name: Tok,
    /// The body.
    pub body: Body<ServiceItem>,
}

/// A statement in a service.
#[derive(Clone, Debug, PartialEq)]
pub enum ServiceItem {
    /// `rpc`.
    Rpc(Rpc),
    /// `option`.
    Option(OptionDecl),
    /// A lone `;`.
    Empty(Tok),
}

/// `rpc Name (Req) returns (Resp);` or with a body of options.
#[derive(Clone, Debug, PartialEq)]
pub struct Rpc {
    /// `rpc`.
    pub keyword: Tok,
    /// The name.
    pub name: Tok,
    /// The request.
    pub input: RpcType,
    /// `returns`.
    pub returns: Tok,
    /// The response.
    pub output: RpcType,
    /// `;` or `{ ... }`.
    pub end: RpcEnd,
}

/// `(stream Type)`.
#[derive(Clone, Debug, PartialEq)]
pub struct RpcType {
    /// `(`.
    pub open: Tok,
    /// `stream`.
    pub stream: Option<Tok>,
    /// The message type.
    pub ty: Path,
    /// `)`.
    pub close: Tok,
}

/// How an rpc ends.
#[derive(Clone, Debug, PartialEq)]
pub enum RpcEnd {
    /// `;`.
    Semicolon(Tok),
    /// `{ option ...; }`.
    Body(Body<RpcItem>),
}

/// A statement in an rpc's body.
#[derive(Clone, Debug, PartialEq)]
pub enum RpcItem {
    /// `option`.
    Option(OptionDecl),
    /// A lone `;`.
    Empty(Tok),
}
