import { parseBedrockError, parseBedrockStreamException } from './errors';

const err = (name: string, message: string, status: number) =>
  parseBedrockError(status, JSON.stringify({ message }), { 'x-amzn-errortype': `${name}:http://internal.amazon.com/coral/com.amazon.bedrock/` });

describe('Bedrock errors', () => {
  test.each([
    ['ThrottlingException', 429, 429, 'rate_limit_exceeded', true],
    ['ModelNotReadyException', 429, 503, 'upstream_overloaded', true],
    ['ServiceUnavailableException', 503, 503, 'upstream_overloaded', true],
    ['InternalServerException', 500, 502, 'upstream_server_error', true],
    ['ModelErrorException', 424, 502, 'upstream_server_error', true],
    ['ModelTimeoutException', 408, 504, 'upstream_timeout', true],
    ['AccessDeniedException', 403, 502, 'upstream_auth_failed', true],
    ['UnrecognizedClientException', 403, 502, 'upstream_auth_failed', true],
    ['ResourceNotFoundException', 404, 404, 'model_not_found', true],
    ['ValidationException', 400, 400, null, false],
  ])('%s (HTTP %d) → %d %s', (name, status, clientStatus, code, retryable) => {
    const info = err(name, 'something', status);
    expect(info).toMatchObject({ status: clientStatus, code, retryable });
  });

  test('an over-long prompt is context_length_exceeded and is not retried', () => {
    expect(err('ValidationException', 'Input is too long for requested model.', 400)).toMatchObject({
      status: 400,
      code: 'context_length_exceeded',
      retryable: false,
      message: 'Input is too long for requested model.',
    });
  });

  test('the exception name is read from the body __type when the header is missing', () => {
    const info = parseBedrockError(
      400,
      '{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}',
      {},
    );
    expect(info.credentialProblem).toBe(true);
  });

  test('stream exceptions take the status their name implies', () => {
    expect(parseBedrockStreamException('throttlingException', '{"message":"slow"}').status).toBe(429);
    expect(parseBedrockStreamException('modelStreamErrorException', '{"message":"x"}').status).toBe(502);
    expect(parseBedrockStreamException('validationException', '{"message":"bad"}').status).toBe(400);
  });
});
