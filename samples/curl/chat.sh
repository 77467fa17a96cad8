#!/usr/bin/env bash
# The gateway from a shell: a question, the answer streamed, and what Continuum recorded.
set -euo pipefail
SERVER=${CONTINUUM_SERVER:-http://127.0.0.1:5080}

# Non-streaming, the session picked by the user header; the session id comes back in X-Continuum-Session.
curl -s -D headers.txt "$SERVER/v1/chat/completions" -H 'content-type: application/json' \
  -H 'X-Continuum-User: curl-user' -H 'X-Continuum-Interface: curl' \
  -d '{"model":"continuum","messages":[{"role":"user","content":"Remember: the deploy window is Friday 14:00."}]}'
echo
SESSION=$(grep -i '^x-continuum-session:' headers.txt | tr -d '\r' | cut -d' ' -f2)
rm -f headers.txt

# Streaming: server-sent events, ending in data: [DONE].
curl -sN "$SERVER/v1/chat/completions" -H 'content-type: application/json' -H "X-Continuum-Session: $SESSION" \
  -d '{"model":"continuum","stream":true,"messages":[{"role":"user","content":"When is the deploy window?"}]}'
echo

# Without injection (the exchange is still recorded).
curl -s "$SERVER/v1/chat/completions" -H 'content-type: application/json' -H "X-Continuum-Session: $SESSION" \
  -H 'X-Continuum-Inject: false' \
  -d '{"model":"continuum","messages":[{"role":"user","content":"Plain call."}]}'
echo

# What the session holds now, and the models the gateway answers for.
curl -s "$SERVER/api/sessions/$SESSION/events"
echo
curl -s "$SERVER/v1/models"
echo
