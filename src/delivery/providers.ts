/**
 * What `smtp.provider` fills in. The limits are the providers' published figures (README, section
 * "Sending mail"); rali.yaml's per_minute / per_day override them (a Workspace account: per_day: 2000).
 *
 * - Microsoft 365 (Exchange Online limits, learn.microsoft.com "Exchange Online limits",
 *   sending limits): 30 messages a minute, 10,000 recipients a day.
 * - Gmail (support.google.com/a/answer/166852 and /mail/answer/22839): 2,000 messages a day for a
 *   Google Workspace account, 500 for a consumer account; no per-minute figure is published, 60 a
 *   minute keeps well clear of the burst detection. The default is the consumer figure.
 */
export interface Provider {
  host: string;
  port: number;
  secure: boolean;
  perMinute: number;
  perDay: number;
}

export const PROVIDERS: Record<'microsoft365' | 'gmail', Provider> = {
  microsoft365: { host: 'smtp.office365.com', port: 587, secure: false, perMinute: 30, perDay: 10_000 },
  gmail: { host: 'smtp.gmail.com', port: 587, secure: false, perMinute: 60, perDay: 500 },
};
