import type { Clock } from '../ports/clock.ts';
import type { Log } from '../ports/log.ts';
import type { RekeyProgress, SealedSecretRekeyStore } from '../ports/sealed-secret-rekey.ts';

export interface RotateSealedSecretsDeps {
  store: SealedSecretRekeyStore;
  clock: Clock;
  log: Log;
}

export interface RotateOptions {
  /** Items examined per page (a scan page). */
  pageSize?: number;
  /** Asked before each page: false stops the run (the Lambda's time is running out); the next run resumes. */
  hasTime?: () => boolean;
  /** Start a new walk even if the last one completed (on demand, right after changing the key). */
  restart?: boolean;
}

/**
 * Key rotation (reliability.md §3, scenario 16): walks every sealed secret of the table and seals each one
 * that is not under the current key again under it. Resumable: the walk's cursor and counts are saved after
 * every page, so a run cut short continues in the next one (the daily schedule, or another on-demand call).
 * A completed walk names the key everything is under: from then on the previous key version can be retired
 * (`LOCAL_ENCRYPTION_PREVIOUS_KEYS` dropped, the old KMS key disabled) — only secrets written since by a
 * process still on the old key would need it, and those processes are gone once the new key is deployed.
 */
export async function rotateSealedSecrets(deps: RotateSealedSecretsDeps, options: RotateOptions = {}): Promise<RekeyProgress> {
  const pageSize = options.pageSize ?? 100;
  const saved = await deps.store.loadProgress();
  const resuming = saved !== null && saved.completedAt === null && !options.restart;
  let progress: RekeyProgress = resuming
    ? saved
    : { cursor: null, resealed: 0, alreadyCurrent: 0, changedMeanwhile: 0, startedAt: deps.clock.now().toISOString(), completedAt: null, keyId: null };
  // A finished walk's key may be the one being rotated out: only a walk in progress knows the current key.
  let current = deps.store.currentKeyId() ?? (resuming ? progress.keyId : null);
  for (;;) {
    if (options.hasTime && !options.hasTime()) {
      deps.log.info('key rotation paused; the next run continues', { ...progress });
      return progress;
    }
    const page = await deps.store.listSealed(progress.cursor, pageSize);
    let { resealed, alreadyCurrent, changedMeanwhile } = progress;
    for (const item of page.items) {
      if (current !== null && item.keyId === current) {
        alreadyCurrent += 1;
        continue;
      }
      const keyId = await deps.store.reseal(item);
      if (keyId === null) {
        changedMeanwhile += 1;
      } else {
        resealed += 1;
        current = keyId;
      }
    }
    progress = { ...progress, cursor: page.cursor, resealed, alreadyCurrent, changedMeanwhile, keyId: current };
    if (page.cursor === null) {
      progress = { ...progress, completedAt: deps.clock.now().toISOString() };
      await deps.store.saveProgress(progress);
      deps.log.info('key rotation complete', { ...progress });
      return progress;
    }
    await deps.store.saveProgress(progress);
  }
}
