// A worked example of a Switchyard plugin (docs/plugins.md walks through it).
// It tags every answer with a response header saying how many messages the prompt had, and refuses prompts
// containing a configurable blocked word with an OpenAI-shaped 400, before any upstream is called.
'use strict';

const { definePlugin, errors } = require('switchyard');

module.exports = definePlugin({
  name: 'example',
  // Validated with ajv when the config loads; a wrong option is a config error with its line number.
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      header: { type: 'string', pattern: '^[a-z0-9-]+$', default: 'x-switchyard-example' },
      blocked_word: { type: 'string', minLength: 1 },
    },
  },
  create(options, env) {
    // keep() returns the same object after a config reload, so the count survives edits of proxy.yaml.
    const stats = env.keep('stats', () => ({ requests: 0 }));
    return {
      onRequest(ctx) {
        if (ctx.endpoint !== 'chat') return;
        stats.requests += 1;
        const messages = ctx.body.messages;
        ctx.responseHeaders[options.header] = `messages=${messages.length}; seen=${stats.requests}`;
        if (options.blocked_word) {
          const text = JSON.stringify(messages);
          if (text.includes(options.blocked_word)) {
            throw errors.badRequest('The prompt contains a blocked word.', 'messages', 'content_blocked');
          }
        }
      },
    };
  },
});
