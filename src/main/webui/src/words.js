// Enum values of the API in words a manager reads.
export const MODES = ['SPY', 'WHISPER', 'BARGE'];

export const modeWords = { SPY: 'Spy', WHISPER: 'Whisper', BARGE: 'Barge' };

const triggers = {
  API: 'from the console or an application',
  CODE: 'by a code dialled on the supervisor\'s phone',
  RFC4733: 'by a key pressed on the supervisor\'s phone',
  SIP_INFO: 'by a key pressed on the supervisor\'s phone (SIP INFO)',
  SUPERVISOR_HANGUP: 'by the supervisor hanging up',
  CALL_HANGUP: 'because the call ended',
  MEDIA_FAILURE: 'because the media failed',
  RECONCILE: 'by the service\'s own check after a restart',
};

const endReasons = {
  SUPERVISOR_HUNG_UP: 'the supervisor hung up',
  CALL_ENDED: 'the call ended',
  MEDIA_FAILURE: 'the media could not be set up',
  API: 'left from the console or an application',
  NO_ANSWER: 'the supervisor\'s phone was not answered',
  BUSY: 'the supervisor\'s phone was busy',
  DECLINED: 'the supervisor declined the call',
  ORIGINATION_FAILED: 'the supervisor\'s phone could not be rung (not registered?)',
  CANCELLED: 'the supervisor\'s phone cancelled',
  TIMEOUT: 'the join was not confirmed in time',
  REVOKED: 'the permission to supervise was withdrawn',
  NO_COMMON_CODEC: 'the supervisor\'s phone offered no usable codec',
  MEDIA_LOST: 'the media server lost the session',
};

export const triggerWords = (t) => triggers[t] ?? (t ? t.toLowerCase().replace(/_/g, ' ') : 'unknown');
export const endWords = (r) => endReasons[r] ?? (r ? r.toLowerCase().replace(/_/g, ' ') : '');

export function who(account) {
  if (!account) return 'unknown';
  const name = account.displayName || `account ${account.accountId}`;
  return account.extension ? `${name} (${account.extension})` : name;
}

export function duration(startedAt, now) {
  const s = Math.max(0, Math.floor((now - Date.parse(startedAt)) / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');
