import { onnx } from 'onnx-proto';

/**
 * An attribute whose ONNX type is spelled out. Needed where inference from a JS value
 * would be wrong, e.g. a float attribute whose value happens to be whole (`alpha: 1`).
 */
export type OnnxTypedAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] };

/**
 * An attribute value. Plain values are typed by inference: a whole number is INT, any other
 * number FLOAT, a string STRING, a number array INTS when every entry is whole (else FLOATS),
 * a string array STRINGS. Use {@link OnnxAttr} to force a type.
 */
export type OnnxAttributeValue =
  number | string | readonly number[] | readonly string[] | OnnxTypedAttribute;

/** Attributes of one node, by attribute name. */
export type OnnxAttributes = Readonly<Record<string, OnnxAttributeValue>>;

/** Explicitly typed attribute constructors, for when inference from the JS value is ambiguous. */
export const OnnxAttr = {
  int: (value: number): OnnxTypedAttribute => ({ kind: 'int', value }),
  float: (value: number): OnnxTypedAttribute => ({ kind: 'float', value }),
  string: (value: string): OnnxTypedAttribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): OnnxTypedAttribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): OnnxTypedAttribute => ({ kind: 'floats', value }),
  strings: (value: readonly string[]): OnnxTypedAttribute => ({ kind: 'strings', value }),
} as const;

/** The AttributeProto of one attribute, its type inferred from the JS value or spelled out. */
export function toAttribute(name: string, value: OnnxAttributeValue): onnx.IAttributeProto {
  const typed = typeAttribute(value);
  const T = onnx.AttributeProto.AttributeType;
  switch (typed.kind) {
    case 'int':
      return { name, type: T.INT, i: toSafeInt(typed.value) };
    case 'float':
      return { name, type: T.FLOAT, f: typed.value };
    case 'string':
      return { name, type: T.STRING, s: Buffer.from(typed.value, 'utf8') };
    case 'ints':
      return { name, type: T.INTS, ints: typed.value.map(toSafeInt) };
    case 'floats':
      return { name, type: T.FLOATS, floats: [...typed.value] };
    case 'strings':
      return { name, type: T.STRINGS, strings: typed.value.map((s) => Buffer.from(s, 'utf8')) };
  }
}

function toSafeInt(value: number): number {
  if (!Number.isSafeInteger(value))
    throw new Error(`GraphBuilder: attribute value ${value} is not an integer`);
  return value;
}

function typeAttribute(value: OnnxAttributeValue): OnnxTypedAttribute {
  if (typeof value === 'number')
    return Number.isInteger(value) ? OnnxAttr.int(value) : OnnxAttr.float(value);
  if (typeof value === 'string') return OnnxAttr.string(value);
  if (isStringArray(value)) return OnnxAttr.strings(value);
  if (isNumberArray(value)) {
    return value.every((v) => Number.isInteger(v)) ? OnnxAttr.ints(value) : OnnxAttr.floats(value);
  }
  return value;
}

function isNumberArray(value: OnnxAttributeValue): value is readonly number[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

function isStringArray(value: OnnxAttributeValue): value is readonly string[] {
  return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
}
