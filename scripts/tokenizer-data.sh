#!/usr/bin/env bash
# Regenerates src/Continuum.Core/Tokens/Data/*.tiktoken.gz from the rank files the npm package js-tiktoken ships.
# Each output file is gzip text: a first line of JSON ({ name, pat_str, special_tokens }), then one
# "base64-token rank" line per token, the layout of OpenAI's .tiktoken files.
# Usage: bash scripts/tokenizer-data.sh [js-tiktoken version]   (needs node and npm with registry access)
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:-1.0.21}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "js-tiktoken@$version" >/dev/null && tar xzf "js-tiktoken-$version.tgz")
for name in o200k_base cl100k_base; do
  node - "$work/package/dist/ranks/$name.js" "$name" > "$work/$name.tiktoken" <<'JS'
const fs = require('fs');
const [file, name] = process.argv.slice(2);
const source = fs.readFileSync(file, 'utf8');
const data = JSON.parse(source.slice(source.indexOf('{'), source.lastIndexOf('}') + 1));
const out = [JSON.stringify({ name, pat_str: data.pat_str, special_tokens: data.special_tokens })];
for (const line of data.bpe_ranks.split('\n').filter(Boolean)) {
  const [, offset, ...tokens] = line.split(' ');
  tokens.forEach((token, i) => out.push(`${token} ${Number(offset) + i}`));
}
process.stdout.write(out.join('\n') + '\n');
JS
  gzip -9 -n -c "$work/$name.tiktoken" > "src/Continuum.Core/Tokens/Data/$name.tiktoken.gz"
  echo "$name: $(($(wc -l < "$work/$name.tiktoken") - 1)) tokens -> src/Continuum.Core/Tokens/Data/$name.tiktoken.gz ($(stat -c %s "src/Continuum.Core/Tokens/Data/$name.tiktoken.gz") bytes)"
done
