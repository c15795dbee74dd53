#!/usr/bin/env bash
# Provision what `firebase deploy` does not create. Idempotent; run it before the first
# deploy (topics) and again after each deploy (dead-letter policy on the subscriptions
# Eventarc made for the Pub/Sub-triggered functions).
#   PROJECT=my-project infra/provision.sh
set -euo pipefail
: "${PROJECT:?set PROJECT to your Firebase project id}"
here="$(cd "$(dirname "$0")" && pwd)"
topics=$(cd "$here/.." && python3 -c "from infra.topics import TOPICS; print(' '.join(TOPICS))")
for topic in $topics; do
  gcloud pubsub topics describe "$topic" --project "$PROJECT" >/dev/null 2>&1 \
    || gcloud pubsub topics create "$topic" --project "$PROJECT"
done
echo "topics: $topics"

# Dead letters: after 5 failed deliveries an event goes to aura-events-dead-letter.
number=$(gcloud projects describe "$PROJECT" --format='value(projectNumber)')
pubsub_sa="service-${number}@gcp-sa-pubsub.iam.gserviceaccount.com"
gcloud pubsub topics add-iam-policy-binding aura-events-dead-letter --project "$PROJECT" \
  --member "serviceAccount:${pubsub_sa}" --role roles/pubsub.publisher >/dev/null
for sub in $(gcloud pubsub topics list-subscriptions aura-events --project "$PROJECT" --format='value(.)'); do
  name="${sub##*/}"
  gcloud pubsub subscriptions update "$name" --project "$PROJECT" \
    --dead-letter-topic aura-events-dead-letter --max-delivery-attempts 5 >/dev/null
  gcloud pubsub subscriptions add-iam-policy-binding "$name" --project "$PROJECT" \
    --member "serviceAccount:${pubsub_sa}" --role roles/pubsub.subscriber >/dev/null
  echo "dead-letter policy set on $name"
done

# TTL: Firestore deletes server-only bookkeeping past its `expiresAt` (usually within a day
# of expiry), the rules of shared/platform/retention.py whose age is zero (docs/platform.md
# "Retention"; tests/unit/test_retention.py holds this list equal to them):
#   _rateLimits.expiresAt   a rate-limit window's end (shared/platform/ratelimit.py)
#   _aiCache.expiresAt      an AI response or embedding cache entry's expiry (shared/ai/)
#   _analytics.expiresAt    an active-user marker's expiry (the day's counters have none)
#   _outbox.expiresAt       an email's removal, 30 days after it was queued (shared/email/)
# Events, execution logs, read notifications and audit entries are dated (`time`,
# `readAt`), not given an expiry, so TTL cannot serve them: the hourly `cleanup_retention`
# deletes them, here as on the emulator (which runs no TTL), and also sweeps up the two
# groups below should TTL lag.
for group in _rateLimits _aiCache _analytics _outbox; do
  gcloud firestore fields ttls update expiresAt --collection-group="$group" \
    --enable-ttl --project "$PROJECT" --async >/dev/null
  echo "TTL on $group.expiresAt"
done

# Backups: Firestore's managed backup schedules (docs/operations.md "Backups and restore"):
# a daily backup kept 7 days and a weekly one (Sundays) kept 14 weeks. A backup is a
# consistent copy of the whole database; a restore makes a NEW database from it (never
# overwrites the live one), which the runbook checks and then promotes.
BACKUP_DAILY_RETENTION="7d"
BACKUP_WEEKLY_RETENTION="14w"
# The kinds of schedule the database has ("daily", "weekly"), so a second run adds none.
schedules=$(gcloud firestore backups schedules list --database='(default)' --project "$PROJECT" \
  --format=json | python3 -c 'import json, sys
print(" ".join("daily" if "dailyRecurrence" in s else "weekly" for s in json.load(sys.stdin)))')
if ! grep -qw daily <<<"$schedules"; then
  gcloud firestore backups schedules create --database='(default)' --project "$PROJECT" \
    --recurrence=daily --retention="$BACKUP_DAILY_RETENTION" >/dev/null
  echo "daily backup schedule created (kept $BACKUP_DAILY_RETENTION)"
fi
if ! grep -qw weekly <<<"$schedules"; then
  gcloud firestore backups schedules create --database='(default)' --project "$PROJECT" \
    --recurrence=weekly --day-of-week=SUN --retention="$BACKUP_WEEKLY_RETENTION" >/dev/null
  echo "weekly backup schedule created (kept $BACKUP_WEEKLY_RETENTION)"
fi
echo "backups: daily ($BACKUP_DAILY_RETENTION), weekly on Sunday ($BACKUP_WEEKLY_RETENTION)"
