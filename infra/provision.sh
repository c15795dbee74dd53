#!/usr/bin/env bash
# Provision what `firebase deploy` does not create. Idempotent.
#   PROJECT=my-project infra/provision.sh
set -euo pipefail
: "${PROJECT:?set PROJECT to your Firebase project id}"
here="$(cd "$(dirname "$0")" && pwd)"
topics=$(cd "$here/.." && python3 -c "from infra.topics import TOPICS; print(' '.join(TOPICS))")
for topic in $topics; do
  gcloud pubsub topics describe "$topic" --project "$PROJECT" >/dev/null 2>&1 \
    || gcloud pubsub topics create "$topic" --project "$PROJECT"
done
echo "provisioned: $topics"
