//! A change chunk taken apart into its fields and put together again, for forging changes
//! byte by byte (shared by the test binaries that need it).
#![allow(dead_code)] // each binary uses part of it

use sha2::{Digest, Sha256};

pub(crate) const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];

pub(crate) fn uleb(out: &mut Vec<u8>, v: u64) {
    leb128::write::unsigned(out, v).unwrap();
}

pub(crate) fn sleb(out: &mut Vec<u8>, v: i64) {
    leb128::write::signed(out, v).unwrap();
}

/// A change chunk taken apart into its fields.
#[derive(Debug, Clone)]
pub(crate) struct Parts {
    pub(crate) deps: Vec<[u8; 32]>,
    pub(crate) actor: Vec<u8>,
    pub(crate) seq: u64,
    pub(crate) start_op: u64,
    pub(crate) time: i64,
    pub(crate) message: String,
    pub(crate) others: Vec<Vec<u8>>,
    pub(crate) cols: Vec<(u32, Vec<u8>)>,
    pub(crate) extra: Vec<u8>,
}

pub(crate) fn read_uleb(b: &mut &[u8]) -> u64 {
    leb128::read::unsigned(b).unwrap()
}

pub(crate) fn take<'a>(b: &mut &'a [u8], n: usize) -> &'a [u8] {
    let (h, t) = b.split_at(n);
    *b = t;
    h
}

impl Parts {
    pub(crate) fn of(chunk: &[u8]) -> Self {
        let mut b = &chunk[9..];
        read_uleb(&mut b);
        let deps = (0..read_uleb(&mut b))
            .map(|_| take(&mut b, 32).try_into().unwrap())
            .collect();
        let n = read_uleb(&mut b) as usize;
        let actor = take(&mut b, n).to_vec();
        let seq = read_uleb(&mut b);
        let start_op = read_uleb(&mut b);
        let time = leb128::read::signed(&mut b).unwrap();
        let n = read_uleb(&mut b) as usize;
        let message = String::from_utf8(take(&mut b, n).to_vec()).unwrap();
        let others = (0..read_uleb(&mut b))
            .map(|_| {
                let n = read_uleb(&mut b) as usize;
                take(&mut b, n).to_vec()
            })
            .collect();
        let specs: Vec<(u32, usize)> = (0..read_uleb(&mut b))
            .map(|_| (read_uleb(&mut b) as u32, read_uleb(&mut b) as usize))
            .collect();
        let cols = specs
            .into_iter()
            .map(|(s, n)| (s, take(&mut b, n).to_vec()))
            .collect();
        Parts {
            deps,
            actor,
            seq,
            start_op,
            time,
            message,
            others,
            cols,
            extra: b.to_vec(),
        }
    }

    pub(crate) fn body(&self) -> Vec<u8> {
        let mut o = Vec::new();
        uleb(&mut o, self.deps.len() as u64);
        for d in &self.deps {
            o.extend(d);
        }
        uleb(&mut o, self.actor.len() as u64);
        o.extend(&self.actor);
        uleb(&mut o, self.seq);
        uleb(&mut o, self.start_op);
        sleb(&mut o, self.time);
        uleb(&mut o, self.message.len() as u64);
        o.extend(self.message.as_bytes());
        uleb(&mut o, self.others.len() as u64);
        for a in &self.others {
            uleb(&mut o, a.len() as u64);
            o.extend(a);
        }
        uleb(&mut o, self.cols.len() as u64);
        for (s, c) in &self.cols {
            uleb(&mut o, u64::from(*s));
            uleb(&mut o, c.len() as u64);
        }
        for (_, c) in &self.cols {
            o.extend(c);
        }
        o.extend(&self.extra);
        o
    }

    pub(crate) fn encode(&self) -> Vec<u8> {
        chunk(1, &self.body(), &self.body())
    }

    pub(crate) fn col(&mut self, spec: u32, bytes: Vec<u8>) -> &mut Self {
        match self.cols.iter_mut().find(|(s, _)| *s == spec) {
            Some((_, c)) => *c = bytes,
            None => {
                self.cols.push((spec, bytes));
                self.cols.sort_by_key(|(s, _)| *s);
            }
        }
        self
    }
}

/// A chunk of `kind` carrying `data`, with the checksum of the plain change `plain`.
pub(crate) fn chunk(kind: u8, data: &[u8], plain: &[u8]) -> Vec<u8> {
    let mut hashed = vec![1u8];
    uleb(&mut hashed, plain.len() as u64);
    hashed.extend(plain);
    let sum = Sha256::digest(&hashed);
    let mut out = MAGIC.to_vec();
    out.extend(&sum[..4]);
    out.push(kind);
    uleb(&mut out, data.len() as u64);
    out.extend(data);
    out
}
