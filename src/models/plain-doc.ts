import { isValidObjectId, Types, type Schema, type SchemaType } from 'mongoose';

/** A value a path cannot take as it is: the draft goes the full Mongoose way instead. */
const UNFIT = Symbol('unfit');

type Cast = (value: unknown) => unknown;

/** Values taken as they are, per Mongoose type: anything else would need Mongoose's casting. */
const CASTS: Record<string, Cast> = {
  String: (v) => (typeof v === 'string' ? v : UNFIT),
  Number: (v) => (typeof v === 'number' && Number.isFinite(v) ? v : UNFIT),
  Boolean: (v) => (typeof v === 'boolean' ? v : UNFIT),
  Date: (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? v : UNFIT),
  ObjectId: (v) =>
    v instanceof Types.ObjectId
      ? v
      : typeof v === 'string' && v.length === 24 && isValidObjectId(v)
        ? new Types.ObjectId(v)
        : UNFIT,
};

interface Path {
  name: string;
  cast: Cast;
  required: boolean;
  enum?: ReadonlySet<unknown>;
  defaultValue?: () => unknown;
}

/**
 * What `new Model(draft).toObject()` makes of a draft after `validate()`, built without a
 * Mongoose document, for schemas of plain paths (strings, numbers, booleans, dates, ObjectIds,
 * single nested schemas of those) whose only validators are `required` and `enum`. A write path
 * that stores many small documents (a chat message per send) spends a fraction of a millisecond
 * on each Mongoose document; this takes microseconds.
 *
 * Returns undefined for a draft it cannot build exactly that way (a value of another type to
 * cast, a null, a required path missing, a value outside its enum, an unknown key): the caller
 * then goes the Mongoose way, which casts it or says why not. Returns undefined for everything
 * when the schema has any other kind of path or validator, so a schema that grows one cannot be
 * bypassed. test/unit/plain-doc.test.ts holds the two ways equal.
 */
export function plainBuilder(
  schema: Schema,
): (draft: object) => Record<string, unknown> | undefined {
  const paths = pathsOf(schema);
  if (!paths) return () => undefined;
  const known = new Set(paths.map((p) => p.name));
  return (draft) => {
    for (const key of Object.keys(draft)) if (!known.has(key)) return undefined;
    const values = draft as Record<string, unknown>;
    const doc: Record<string, unknown> = {};
    for (const path of paths) {
      let value = values[path.name];
      if (value === undefined) {
        if (path.defaultValue) value = path.defaultValue();
        else if (path.required) return undefined;
        else continue;
      }
      value = path.cast(value);
      if (value === UNFIT || (path.enum && !path.enum.has(value))) return undefined;
      // Mongoose's `required` refuses an empty string too.
      if (path.required && value === '') return undefined;
      doc[path.name] = value;
    }
    return doc;
  };
}

function pathsOf(schema: Schema): Path[] | undefined {
  const paths: Path[] = [];
  let fits = true;
  schema.eachPath((name, type: SchemaType & { schema?: Schema; enumValues?: unknown[] }) => {
    const validators = (type.validators as { type?: string }[]).map((v) => v.type);
    if (validators.some((v) => v !== 'required' && v !== 'enum')) fits = false;
    let cast: Cast | undefined = CASTS[type.instance];
    if (type.instance === 'Embedded' && type.schema) {
      const nested = plainBuilder(type.schema);
      cast = (v) => {
        if (typeof v !== 'object' || v === null || Object.keys(v).length === 0) return UNFIT;
        return nested(v) ?? UNFIT;
      };
    }
    if (!cast || name.includes('.')) return void (fits = false);
    const defaultValue = (type as unknown as { defaultValue?: unknown }).defaultValue;
    if (defaultValue !== undefined && typeof defaultValue !== 'function') fits = false;
    paths.push({
      name,
      cast,
      required: validators.includes('required'),
      ...(validators.includes('enum') && { enum: new Set(type.enumValues) }),
      ...(typeof defaultValue === 'function' && {
        defaultValue: name === '_id' ? () => new Types.ObjectId() : (defaultValue as () => unknown),
      }),
    });
  });
  return fits ? paths : undefined;
}
