/**
 * Request validation straight from the TypeBox route schemas (the same objects fastify serialises with
 * and @fastify/swagger documents). Bodies are checked strictly (no type coercion: `"3"` is not a number);
 * query strings and path parameters are converted first (`?n=10` -> 10, `?excludeSeen=false` -> false).
 * The first error names its field as a path: `body/events/3/item: Expected string`.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { FastifySchemaCompiler } from 'fastify';

export class SchemaValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'SchemaValidationError';
    this.field = field;
  }
}

const PARTS: Record<string, string> = { body: 'body', querystring: 'querystring', params: 'params', headers: 'headers' };

function describe(message: string, value: unknown): string {
  if (value === undefined) return message === 'Expected required property' ? 'required field is missing' : message;
  return message;
}

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const part = PARTS[httpPart ?? 'body'] ?? 'body';
  const coerce = part !== 'body';
  return (data: unknown) => {
    let value = data;
    if (coerce) value = Value.Convert(schema, Value.Default(schema, Value.Clone(data ?? {})));
    else if (value !== null && value !== undefined) value = Value.Default(schema, value);
    if (check.Check(value)) return { value };
    const first = check.Errors(value).First();
    const path = first ? first.path : '';
    const field = part + (path ? path.replace(/~1/g, '/').replace(/~0/g, '~') : '');
    const msg = first ? describe(first.message, first.value) : 'invalid';
    return { error: new SchemaValidationError(field, data === null || data === undefined ? (part === 'body' ? 'a JSON body is required' : msg) : msg) };
  };
};
