import type { z } from 'zod';
import { InvalidRequestError } from '../errors/invalid-request-error.js';
import { formatZodError } from './format-zod-issue.js';

/**
 * Validates a client's JSON object against a request schema; throws an InvalidRequestError naming the field at
 * fault. The result is zod's copy: the caller may change it freely.
 */
export function parseRequest<T>(schema: z.ZodType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidRequestError('The request body must be a JSON object');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const { message, param } = formatZodError(result.error);
  throw new InvalidRequestError(message, { param });
}
