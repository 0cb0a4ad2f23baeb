import { describe, expect, it } from 'vitest';
import { readRejectedFields } from './read-rejected-fields.js';

describe('readRejectedFields', () => {
  it('reads pydantic’s list printed as Python in a problem-details detail', () => {
    const body = JSON.stringify({
      type: 'urn:inference-service:problem-details:bad-request',
      status: 422,
      title: 'Unprocessable Entity',
      detail:
        "[{'type': 'extra_forbidden', 'loc': ('body', 'store'), 'msg': 'Extra inputs are not permitted', 'input': False}, " +
        "{'type': 'extra_forbidden', 'loc': ('body', 'metadata'), 'msg': 'Extra inputs are not permitted', 'input': {'a': 'b'}}]",
    });
    expect(readRejectedFields(body)).toEqual(['store', 'metadata']);
  });

  it('reads a JSON detail object and a JSON detail list', () => {
    expect(readRejectedFields('{"detail":{"type":"extra_forbidden","loc":["body","dimensions"]}}')).toEqual(['dimensions']);
    expect(readRejectedFields('{"detail":[{"type":"extra_forbidden","loc":["body","verbosity"],"msg":"Extra inputs are not permitted","input":"low"}]}')).toEqual(['verbosity']);
  });

  it('reads prose, and NIM’s "Unsupported parameter(s)" message', () => {
    expect(readRejectedFields('{"status":422,"detail":"Extra inputs are not permitted: service_tier"}')).toEqual(['service_tier']);
    expect(readRejectedFields('{"message":"Validation: Unsupported parameter(s): `top_k`, `min_p`"}')).toEqual(['top_k', 'min_p']);
  });

  it('reads an OpenAI-shaped "Unrecognized request argument(s) supplied" error', () => {
    const one = { error: { message: 'Unrecognized request argument supplied: frequency_penalty', type: 'invalid_request_error', param: 'frequency_penalty', code: null } };
    expect(readRejectedFields(JSON.stringify(one))).toEqual(['frequency_penalty']);
    expect(readRejectedFields('{"error":{"message":"Unrecognized request arguments supplied: top_k, min_p","type":"invalid_request_error"}}')).toEqual(['top_k', 'min_p']);
  });

  it('names no field for a nested location, another error type, or a body that says nothing of fields', () => {
    expect(readRejectedFields("{\"detail\":\"[{'type': 'extra_forbidden', 'loc': ('body', 'messages', 0, 'cache_control'), 'msg': 'x'}]\"}")).toEqual([]);
    expect(readRejectedFields('{"detail":[{"type":"missing","loc":["body","model"]}]}')).toEqual([]);
    expect(readRejectedFields('{"detail":{"type":"extra_forbidden","loc":["body","tools",0,"strict"]}}')).toEqual([]);
    expect(readRejectedFields('{"status":422,"detail":"Extra inputs are not permitted"}')).toEqual([]);
    expect(readRejectedFields('not json')).toEqual([]);
  });
});
