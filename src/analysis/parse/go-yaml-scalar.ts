/**
 * Plain YAML scalars and mapping keys resolved exactly as kubectl and helm read them.
 *
 * kubectl (cli-runtime's StreamVisitor → apimachinery's YAMLOrJSONDecoder) and helm (through the same
 * resource builder) turn YAML into JSON with sigs.k8s.io/yaml, which decodes with go.yaml.in/yaml/v2
 * v2.4.2 (kubernetes-sigs/yaml `go.mod`, `yaml.go` `yamlToJSONTarget`) and then `json.Marshal`s the
 * result. The API server only ever sees that JSON. This file follows go-yaml v2's `resolve`
 * (yaml/go-yaml tag v2.4.2 `resolve.go`) and sigs.k8s.io/yaml's `convertToJSONableObject` (keys):
 *
 * - null: `~`, `null`, `Null`, `NULL` and the empty scalar;
 * - booleans (YAML 1.1): `y Y yes Yes YES on On ON true True TRUE` and `n N no No NO off Off OFF false False FALSE`;
 * - integers: underscores removed, then Go's `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0X` hex,
 *   `0o`/`0O` and leading-`0` octal (`0120` is 80), `0b`/`0B` binary; then `ParseUint` (above int64);
 * - floats: `yamlStyleFloat` (`1e3`, `1.`, `.5`, `08` — not an octal, so the float 8), `.inf`, `.nan`;
 *   an out-of-range float such as `1e400` stays a string;
 * - no sexagesimal numbers (go-yaml: "purposefully unsupported"): `1:20` is the string "1:20";
 * - timestamps stay strings when decoded into `interface{}` (go-yaml `decode.go` `scalar`);
 * - everything else is a string.
 *
 * Then `json.Marshal`: floats and integers are both JSON numbers (so `80.0` reaches the API server as
 * `80`), and NaN and ±Inf fail the conversion (kubectl stops with "json: unsupported value").
 * Keys: an integer key is its decimal text, a float key Go's `FormatFloat(f, 'g', -1, 32)`, a
 * boolean key `true`/`false`; a null key or one above int64 fails ("unsupported map key").
 */
export type GoYamlScalar =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  /** An int64; `text` is its exact decimal form (the number may round above 2^53). */
  | { readonly kind: 'int'; readonly value: number; readonly text: string }
  /** Above int64 and within uint64. */
  | { readonly kind: 'uint'; readonly value: number; readonly text: string }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  /** The merge key `<<` (only as a plain scalar). */
  | { readonly kind: 'merge' };

const MAP: Readonly<Record<string, GoYamlScalar>> = Object.assign(Object.create(null) as Record<string, GoYamlScalar>, {
  ...Object.fromEntries(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((s) => [s, { kind: 'bool', value: true }])),
  ...Object.fromEntries(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((s) => [s, { kind: 'bool', value: false }])),
  ...Object.fromEntries(['', '~', 'null', 'Null', 'NULL'].map((s) => [s, { kind: 'null' }])),
  ...Object.fromEntries(['.nan', '.NaN', '.NAN'].map((s) => [s, { kind: 'float', value: Number.NaN }])),
  ...Object.fromEntries(['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((s) => [s, { kind: 'float', value: Number.POSITIVE_INFINITY }])),
  ...Object.fromEntries(['-.inf', '-.Inf', '-.INF'].map((s) => [s, { kind: 'float', value: Number.NEGATIVE_INFINITY }])),
  '<<': { kind: 'merge' },
});

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** What Go's ParseFloat accepts for a text starting with '.' (underscores only between digits). */
const DOT_FLOAT = /^\.[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*)?$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** A plain (unquoted, untagged) scalar's value as go-yaml v2 resolves it. */
export function resolvePlainScalar(text: string): GoYamlScalar {
  const known = MAP[text];
  if (known !== undefined) {
    return known;
  }
  const first = text[0];
  if (first === '.') {
    if (DOT_FLOAT.test(text)) {
      const value = Number(text.replace(/_/g, ''));
      if (Number.isFinite(value)) {
        return { kind: 'float', value };
      }
    }
    return { kind: 'string', value: text };
  }
  if (first === '+' || first === '-' || (first >= '0' && first <= '9')) {
    const plain = text.replace(/_/g, '');
    const int = parseGoInt(plain);
    if (int !== undefined) {
      if (int >= INT64_MIN && int <= INT64_MAX) {
        return { kind: 'int', value: Number(int), text: int.toString() };
      }
      if (int >= 0n && int <= UINT64_MAX && plain[0] !== '+' && plain[0] !== '-') {
        return { kind: 'uint', value: Number(int), text: int.toString() };
      }
    }
    if (YAML_STYLE_FLOAT.test(plain)) {
      const value = Number(plain);
      if (Number.isFinite(value)) {
        return { kind: 'float', value };
      }
    }
  }
  return { kind: 'string', value: text };
}

/**
 * Go's `strconv.ParseInt(s, 0, …)` syntax without its range check: optional sign, then `0x`, `0o`,
 * `0b` (either case) or a leading `0` (octal), or decimal. Undefined when it is not such an integer.
 */
function parseGoInt(s: string): bigint | undefined {
  let sign = 1n;
  let body = s;
  if (body[0] === '+' || body[0] === '-') {
    sign = body[0] === '-' ? -1n : 1n;
    body = body.slice(1);
  }
  let digits: RegExp;
  let prefix: string;
  const base = body.slice(0, 2).toLowerCase();
  if (base === '0x') {
    digits = /^[0-9a-fA-F]+$/;
    prefix = '0x';
  } else if (base === '0o') {
    digits = /^[0-7]+$/;
    prefix = '0o';
  } else if (base === '0b') {
    digits = /^[01]+$/;
    prefix = '0b';
  } else if (body.length > 1 && body[0] === '0') {
    digits = /^[0-7]+$/;
    prefix = '0o';
    body = `00${body}`; // keeps the slice below uniform
  } else {
    return /^[0-9]+$/.test(body) ? sign * BigInt(body) : undefined;
  }
  const rest = body.slice(2);
  return digits.test(rest) ? sign * BigInt(`${prefix}${rest}`) : undefined;
}

/** The JSON value a resolved scalar becomes, or a problem when `json.Marshal` would fail on it. */
export function scalarJsonValue(scalar: GoYamlScalar): { value: unknown } | { problem: string } {
  switch (scalar.kind) {
    case 'null':
      return { value: null };
    case 'bool':
    case 'string':
      return { value: scalar.value };
    case 'int':
    case 'uint':
      return { value: scalar.value === 0 ? 0 : scalar.value };
    case 'float':
      if (!Number.isFinite(scalar.value)) {
        return { problem: `${Number.isNaN(scalar.value) ? 'NaN' : 'infinity'} cannot be sent to the API server (kubectl fails with "json: unsupported value"); quote it if you mean a string` };
      }
      return { value: scalar.value === 0 ? 0 : scalar.value };
    case 'merge':
      return { value: '<<' };
  }
}

/**
 * The JSON object key a resolved key scalar becomes (sigs.k8s.io/yaml `convertToJSONableObject`),
 * or a problem when the conversion fails.
 */
export function scalarKeyString(scalar: GoYamlScalar): { key: string } | { problem: string } {
  switch (scalar.kind) {
    case 'string':
      return { key: scalar.value };
    case 'bool':
      return { key: scalar.value ? 'true' : 'false' };
    case 'int':
      return { key: scalar.text };
    case 'float':
      return { key: formatFloat32g(scalar.value) };
    case 'merge':
      return { key: '<<' };
    case 'null':
      return { problem: 'a null key cannot be converted to JSON (kubectl fails with "unsupported map key"); quote it' };
    case 'uint':
      return { problem: `the key ${scalar.text} is above the int64 range and cannot be converted to JSON (kubectl fails with "unsupported map key"); quote it` };
  }
}

/**
 * Go's `strconv.FormatFloat(f, 'g', -1, 32)`, with sigs.k8s.io/yaml's `.inf`, `-.inf` and `.nan`: the
 * shortest decimal that reads back as the same float32, in %e form (`1e+06`) when the decimal
 * exponent is below -4 or at least 6 (Go's `ftoa.go`: with the shortest form, precision 6 decides).
 */
export function formatFloat32g(f: number): string {
  if (Number.isNaN(f)) return '.nan';
  if (f === Number.POSITIVE_INFINITY) return '.inf';
  if (f === Number.NEGATIVE_INFINITY) return '-.inf';
  const single = Math.fround(f);
  if (single === Number.POSITIVE_INFINITY) return '.inf';
  if (single === Number.NEGATIVE_INFINITY) return '-.inf';
  if (single === 0) return Object.is(single, -0) ? '-0' : '0';
  let exponential = '';
  for (let precision = 1; precision <= 9; precision++) {
    exponential = single.toExponential(precision - 1);
    if (Math.fround(Number(exponential)) === single) break;
  }
  const [mantissa, exponentText] = exponential.split('e');
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= 6) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const magnitude = Math.abs(exponent);
    return `${sign}${digits[0]}${rest}e${exponent < 0 ? '-' : '+'}${magnitude < 10 ? `0${magnitude}` : magnitude}`;
  }
  if (exponent < 0) {
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}
