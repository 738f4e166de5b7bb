/** The Arrow types of the event schema (schema.ts): the table's columns as written and read. */
import { Dictionary, Field, Float64, Int32, Int8, Schema, Utf8 } from 'apache-arrow';

/** The Arrow op column type: Int8 indices into the fixed op dictionary (id 0). */
export function opDictionaryType(): Dictionary<Utf8, Int8> {
  return new Dictionary(new Utf8(), new Int8(), 0, false);
}

/** The Arrow schema of the event table, with the given metadata. */
export function eventSchema(metadata: Map<string, string> = new Map()): Schema {
  return new Schema(
    [
      new Field('ts', new Float64(), false),
      new Field('pid', new Int32(), false),
      new Field('tid', new Int32(), false),
      new Field('op', opDictionaryType(), false),
      new Field('addr', new Float64(), false),
      new Field('len', new Float64(), false),
      new Field('arg', new Float64(), false),
    ],
    metadata,
  );
}
