import type { z } from 'zod';

/** `messages[0].role` from zod's path, the way OpenAI names a `param`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The first issue as one precise sentence: where, and what is wrong. */
export function formatZodError(error: z.ZodError): { message: string; param: string | null } {
  const issue = error.issues[0];
  if (!issue) return { message: 'Invalid request', param: null };
  const param = formatIssuePath(issue.path);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return { message: param ? `Invalid '${param}': ${issue.message}${more}` : `${issue.message}${more}`, param: param || null };
}
