//! Printing a [`File`] back from its tree: every token the tree names, in
//! the tree's order, with the trivia between them. The result equals the
//! source exactly when the tree names each significant token once, in
//! order — which is what the round-trip tests check.

use super::{File, tree::*};

impl File<'_> {
    /// The source rebuilt from the tree (see the module docs).
    pub fn print(&self) -> String {
        let mut out = String::with_capacity(self.source.len());
        let mut next = 0usize;
        walk(self, &mut |tok: Tok| {
            // Trivia between the previous named token and this one; a
            // significant token the tree failed to name is left out, so the
            // output differs from the source.
            for token in &self.tokens[next.min(tok.index())..tok.index()] {
                if token.kind.is_trivia() {
                    out.push_str(&self.source[token.span.range()]);
                }
            }
            out.push_str(self.text(tok));
            next = tok.index() + 1;
        });
        for token in &self.tokens[next.min(self.tokens.len())..] {
            if token.kind.is_trivia() {
                out.push_str(&self.source[token.span.range()]);
            }
        }
        out
    }
}

/// Calls `f` on every token the tree names, in tree order.
pub(crate) fn walk(file: &File<'_>, f: &mut impl FnMut(Tok)) {
    for item in &file.items {
        match item {
            FileItem::Syntax(s) => {
                f(s.keyword);
                f(s.equals);
                strings(file, s.value, f);
                f(s.semicolon);
            }
            FileItem::Package(p) => {
                f(p.keyword);
                path(file, p.name, f);
                f(p.semicolon);
            }
            FileItem::Import(i) => {
                f(i.keyword);
                i.modifier.map(&mut *f);
                strings(file, i.path, f);
                f(i.semicolon);
            }
            FileItem::Option(o) => option(file, o, f),
            FileItem::Message(m) => message(file, m, f),
            FileItem::Enum(e) => enum_(file, e, f),
            FileItem::Service(s) => service(file, s, f),
            FileItem::Extend(e) => extend(file, e, f),
            FileItem::Empty(t) => f(*t),
        }
    }
}

fn path(file: &File<'_>, p: Path, f: &mut impl FnMut(Tok)) {
    file.significant(p.first, p.last).for_each(f);
}

fn strings(file: &File<'_>, s: Strings, f: &mut impl FnMut(Tok)) {
    file.significant(s.first, s.last).for_each(f);
}

fn option_name(file: &File<'_>, name: &OptionName, f: &mut impl FnMut(Tok)) {
    for part in &name.parts {
        part.dot.map(&mut *f);
        match &part.kind {
            OptionNamePartKind::Simple(t) => f(*t),
            OptionNamePartKind::Extension { open, name, close } => {
                f(*open);
                path(file, *name, f);
                f(*close);
            }
        }
    }
}

fn option(file: &File<'_>, o: &OptionDecl, f: &mut impl FnMut(Tok)) {
    f(o.keyword);
    option_name(file, &o.name, f);
    f(o.equals);
    value(file, &o.value, f);
    f(o.semicolon);
}

fn value(file: &File<'_>, v: &Value, f: &mut impl FnMut(Tok)) {
    match v {
        Value::Ident(t) => f(*t),
        Value::Number { sign, value } => {
            sign.map(&mut *f);
            f(*value);
        }
        Value::String(s) => strings(file, *s, f),
        Value::Aggregate(a) => {
            f(a.open);
            for field in &a.fields {
                match &field.name {
                    AggregateName::Ident(t) => f(*t),
                    AggregateName::Bracketed {
                        open,
                        first,
                        last,
                        close,
                    } => {
                        f(*open);
                        file.significant(*first, *last).for_each(&mut *f);
                        f(*close);
                    }
                }
                field.colon.map(&mut *f);
                value(file, &field.value, f);
                field.separator.map(&mut *f);
            }
            f(a.close);
        }
        Value::List(l) => {
            f(l.open);
            for element in &l.elements {
                value(file, &element.item, f);
                element.comma.map(&mut *f);
            }
            f(l.close);
        }
    }
}

fn compact_options(file: &File<'_>, o: &Option<CompactOptions>, f: &mut impl FnMut(Tok)) {
    if let Some(o) = o {
        f(o.open);
        for option in &o.options {
            option_name(file, &option.item.name, f);
            f(option.item.equals);
            value(file, &option.item.value, f);
            option.comma.map(&mut *f);
        }
        f(o.close);
    }
}

fn message(file: &File<'_>, m: &Message, f: &mut impl FnMut(Tok)) {
    m.visibility.map(&mut *f);
    f(m.keyword);
    f(m.name);
    message_body(file, &m.body, f);
}

fn message_body(file: &File<'_>, body: &Body<MessageItem>, f: &mut impl FnMut(Tok)) {
    f(body.open);
    for item in &body.items {
        match item {
            MessageItem::Field(x) => field(file, x, f),
            MessageItem::Group(x) => group(file, x, f),
            MessageItem::Oneof(x) => {
                f(x.keyword);
                f(x.name);
                f(x.body.open);
                for item in &x.body.items {
                    match item {
                        OneofItem::Field(x) => field(file, x, f),
                        OneofItem::Group(x) => group(file, x, f),
                        OneofItem::Option(x) => option(file, x, f),
                        OneofItem::Empty(t) => f(*t),
                    }
                }
                f(x.body.close);
            }
            MessageItem::Message(x) => message(file, x, f),
            MessageItem::Enum(x) => enum_(file, x, f),
            MessageItem::Extend(x) => extend(file, x, f),
            MessageItem::Extensions(x) => {
                f(x.keyword);
                ranges(&x.ranges, f);
                compact_options(file, &x.options, f);
                f(x.semicolon);
            }
            MessageItem::Reserved(x) => reserved(file, x, f),
            MessageItem::Option(x) => option(file, x, f),
            MessageItem::Empty(t) => f(*t),
        }
    }
    f(body.close);
}

fn field(file: &File<'_>, x: &Field, f: &mut impl FnMut(Tok)) {
    x.label.map(&mut *f);
    match &x.ty {
        FieldType::Named(p) => path(file, *p, f),
        FieldType::Map(m) => {
            f(m.keyword);
            f(m.open);
            path(file, m.key, f);
            f(m.comma);
            path(file, m.value, f);
            f(m.close);
        }
    }
    f(x.name);
    f(x.equals);
    f(x.number);
    compact_options(file, &x.options, f);
    f(x.semicolon);
}

fn group(file: &File<'_>, x: &Group, f: &mut impl FnMut(Tok)) {
    x.label.map(&mut *f);
    f(x.keyword);
    f(x.name);
    f(x.equals);
    f(x.number);
    compact_options(file, &x.options, f);
    message_body(file, &x.body, f);
}

fn ranges(list: &[Listed<Range>], f: &mut impl FnMut(Tok)) {
    for range in list {
        range.item.start_sign.map(&mut *f);
        f(range.item.start);
        if let Some(end) = &range.item.end {
            f(end.to);
            end.sign.map(&mut *f);
            f(end.end);
        }
        range.comma.map(&mut *f);
    }
}

fn reserved(file: &File<'_>, x: &Reserved, f: &mut impl FnMut(Tok)) {
    f(x.keyword);
    match &x.kind {
        ReservedKind::Ranges(list) => ranges(list, f),
        ReservedKind::Names(names) => {
            for name in names {
                match name.item {
                    ReservedName::String(s) => strings(file, s, f),
                    ReservedName::Ident(t) => f(t),
                }
                name.comma.map(&mut *f);
            }
        }
    }
    f(x.semicolon);
}

fn enum_(file: &File<'_>, e: &Enum, f: &mut impl FnMut(Tok)) {
    e.visibility.map(&mut *f);
    f(e.keyword);
    f(e.name);
    f(e.body.open);
    for item in &e.body.items {
        match item {
            EnumItem::Value(v) => {
                f(v.name);
                f(v.equals);
                v.sign.map(&mut *f);
                f(v.number);
                compact_options(file, &v.options, f);
                f(v.semicolon);
            }
            EnumItem::Option(x) => option(file, x, f),
            EnumItem::Reserved(x) => reserved(file, x, f),
            EnumItem::Empty(t) => f(*t),
        }
    }
    f(e.body.close);
}

fn extend(file: &File<'_>, e: &Extend, f: &mut impl FnMut(Tok)) {
    f(e.keyword);
    path(file, e.extendee, f);
    f(e.body.open);
    for item in &e.body.items {
        match item {
            ExtendItem::Field(x) => field(file, x, f),
            ExtendItem::Group(x) => group(file, x, f),
            ExtendItem::Empty(t) => f(*t),
        }
    }
    f(e.body.close);
}

fn service(file: &File<'_>, s: &Service, f: &mut impl FnMut(Tok)) {
    f(s.keyword);
    f(s.name);
    f(s.body.open);
    for item in &s.body.items {
        match item {
            ServiceItem::Rpc(r) => {
                f(r.keyword);
                f(r.name);
                rpc_type(file, &r.input, f);
                f(r.returns);
                rpc_type(file, &r.output, f);
                match &r.end {
                    RpcEnd::Semicolon(t) => f(*t),
                    RpcEnd::Body(body) => {
                        f(body.open);
                        for item in &body.items {
                            match item {
                                RpcItem::Option(x) => option(file, x, f),
                                RpcItem::Empty(t) => f(*t),
                            }
                        }
                        f(body.close);
                    }
                }
            }
            ServiceItem::Option(x) => option(file, x, f),
            ServiceItem::Empty(t) => f(*t),
        }
    }
    f(s.body.close);
}

fn rpc_type(file: &File<'_>, ty: &RpcType, f: &mut impl FnMut(Tok)) {
    f(ty.open);
    ty.stream.map(&mut *f);
    path(file, ty.ty, f);
    f(ty.close);
}
