// Loads a .automerge file with the JavaScript implementation of Automerge and prints the
// document as JSON, so a test can compare it with Coalesce's own export.
import { readFileSync } from "node:fs";
import * as Automerge from "@automerge/automerge";

const bytes = readFileSync(process.argv[2]);
const doc = Automerge.load(new Uint8Array(bytes));
const plain = JSON.parse(JSON.stringify(doc, (_key, value) => (value instanceof Date ? value.getTime() : typeof value === "bigint" ? Number(value) : value)));
process.stdout.write(JSON.stringify(plain));
