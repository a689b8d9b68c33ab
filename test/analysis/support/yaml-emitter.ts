/**
 * Block-style YAML for plain data, the way kubectl prints it (sequences at their key's indentation,
 * plain strings where unambiguous), written directly because the `yaml` library's stringify is slow.
 */
export function kubectlStyleYaml(value: unknown): string {
  return toYaml(value, '').trimStart();
}

function toYaml(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      return ' []\n';
    }
    return '\n' + value.map((item) => `${indent}-${toYaml(item, `${indent}  `).replace(/^\n\s*/, ' ')}`).join('');
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) {
      return ' {}\n';
    }
    // Like kubectl, a sequence value starts at its key's indentation.
    return '\n' + entries.map(([key, item]) => `${indent}${scalar(key)}:${toYaml(item, Array.isArray(item) ? indent : `${indent}  `)}`).join('');
  }
  return ` ${typeof value === 'string' ? scalar(value) : JSON.stringify(value)}\n`;
}

/** A string as kubectl prints it: plain when it cannot be read as anything else, quoted otherwise. */
function scalar(text: string): string {
  const plain = /^[A-Za-z_][A-Za-z0-9_.\/-]*$/.test(text) && !/^(true|false|null|yes|no|on|off|y|n)$/i.test(text);
  return plain ? text : JSON.stringify(text);
}
