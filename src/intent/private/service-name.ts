import { InputProblem } from '../../validation/input-error';

// Service names are RFC 1035 labels (k8s.io/apimachinery validation.IsDNS1035Label).
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A Service name: at most 63 lower-case letters, digits or "-", starting with a letter. */
export function checkServiceName(what: string, v: unknown): InputProblem[] {
  if (typeof v !== 'string' || v.length === 0 || v.length > 63 || !DNS1035_LABEL.test(v)) {
    return [{
      what,
      value: v,
      expected: 'a Service name: at most 63 lower-case letters, digits or "-", starting with a letter and ending with a letter or digit',
      fix: 'use the `metadata.name` of the Service that selects these pods',
    }];
  }
  return [];
}
