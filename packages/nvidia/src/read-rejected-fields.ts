import { jsonDetailErrors } from './pydantic-errors.js';

/**
 * The top-level request fields an error body says NIM's schema forbids (pydantic's `extra_forbidden` at
 * `loc: ('body', <field>)`), in each wording NIM uses:
 * - problem details whose `detail` is pydantic's error list printed as Python:
 *   `[{'type': 'extra_forbidden', 'loc': ('body', 'store'), 'msg': 'Extra inputs are not permitted', …}]`;
 * - a JSON `detail` object or list: `{"detail":[{"type":"extra_forbidden","loc":["body","store"],…}]}`;
 * - prose: `Extra inputs are not permitted: store`, or `Validation: Unsupported parameter(s): `store``;
 * - OpenAI's wording in an OpenAI-shaped `{"error":{…}}`: `Unrecognized request argument(s) supplied: store`.
 * A nested location (`('body', 'messages', 0, 'x')`) names no top-level field and is left out: dropping a
 * top-level field cannot fix it.
 */
export function readRejectedFields(bodyText: string): string[] {
  const fields = new Set<string>();
  for (const match of bodyText.matchAll(PYTHON_LOC)) fields.add(match[1]!);
  for (const field of fromJsonDetail(bodyText)) fields.add(field);
  for (const match of bodyText.matchAll(PROSE)) fields.add(match[1]!);
  for (const match of bodyText.matchAll(NAMED_LIST)) for (const name of match[1]!.matchAll(NAME)) fields.add(name[0]);
  return [...fields];
}

const FIELD = String.raw`([A-Za-z_][\w]*)`;
const PYTHON_LOC = new RegExp(String.raw`['"]type['"]:\s*['"]extra_forbidden['"],\s*['"]loc['"]:\s*\(\s*['"]body['"],\s*['"]${FIELD}['"],?\s*\)`, 'g');
const PROSE = new RegExp(String.raw`Extra inputs are not permitted:\s*[\`'"]?${FIELD}`, 'g');
/** NIM's `Unsupported parameter(s): …` and OpenAI's `Unrecognized request argument(s) supplied: …`, each a list of names. */
const NAMED_LIST = /(?:Unsupported parameter\(s\)|Unrecognized request arguments? supplied):\s*((?:`?[A-Za-z_]\w*`?(?:,\s*)?)+)/g;
const NAME = /[A-Za-z_]\w*/g;

function fromJsonDetail(bodyText: string): string[] {
  const fields: string[] = [];
  for (const { type, loc } of jsonDetailErrors(bodyText)) {
    if (type !== 'extra_forbidden' || !Array.isArray(loc) || loc.length !== 2 || loc[0] !== 'body' || typeof loc[1] !== 'string') continue;
    fields.push(loc[1]);
  }
  return fields;
}
