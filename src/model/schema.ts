/**
 * The files as written: zod schemas for rali.yaml and talks/*.yaml. These are the single source
 * of truth for validation and for the JSON Schemas in schema/ (see `npm run schema`).
 * Normalization (defaults, both languages, instants) happens in series.ts and talk.ts.
 */
import { z } from 'zod';

export const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** Every text field: one string for both languages, or one per language. */
export const Text = z
  .union([z.string(), z.object({ fr: z.string().optional(), en: z.string().optional() }).strict()])
  .describe('Text: a string, or { fr: …, en: … }');

const Url = z.string().describe('An http(s) URL');
const Email = z.string().describe('An email address');

export const OnlineFile = z
  .object({
    platform: z.string().optional().describe('Shown as the place, e.g. Zoom (the default), Teams'),
    url: Url.describe('The join link'),
    meeting_id: z.union([z.string(), z.number()]).optional(),
    passcode: z.union([z.string(), z.number()]).optional(),
    phones: z.string().optional().describe('Link to the dial-in numbers'),
    one_tap: z.string().optional().describe('One-tap mobile string, e.g. +14388097799,,91690975818#'),
  })
  .strict();

export const TalkFile = z
  .object({
    $schema: z.string().optional(),
    id: z.string().optional().describe('Stable id of the talk; default: the file name without .yaml'),
    title: Text,
    speaker: z
      .object({
        name: z.string(),
        email: Email.optional(),
        affiliation: Text.optional(),
        url: Url.optional(),
      })
      .strict(),
    date: z.string().describe('YYYY-MM-DD'),
    time: z.string().describe('Start time: 11:30, 11h30, 11 h 30 or 11:30 AM'),
    duration: z.union([z.number(), z.string()]).optional().describe('Length: 60 (minutes), 90 min, 1h, 1 hour, 1h30 (or give end)'),
    end: z.string().optional().describe('End time, same forms as time'),
    language: z.enum(LANGS).describe('The language the talk is given in'),
    location: z
      .object({
        room: Text.optional(),
        address: Text.optional(),
        online: OnlineFile.optional(),
      })
      .strict()
      .optional(),
    abstract: Text,
    recording: Url.optional().describe('Link to the recording, added after the talk'),
    status: z
      .enum(['scheduled', 'cancelled', 'draft'])
      .optional()
      .describe('draft: not published by rali site, and a draft with errors does not stop it'),
    cancel_reason: Text.optional(),
  })
  .strict();
export type TalkFile = z.infer<typeof TalkFile>;

export const SeriesFile = z
  .object({
    $schema: z.string().optional(),
    series: z
      .object({
        name: Text,
        id: z.string().describe('Short id used in List-Id, UIDs and Message-IDs, e.g. rali-olst'),
        domain: z.string().describe('Domain of the series, e.g. iro.umontreal.ca'),
        timezone: z.string().describe('IANA time zone, e.g. America/Toronto'),
        languages: z.array(z.enum(LANGS)).optional().describe('Order of the two halves of a bilingual mail'),
        subscribe_url: Url.optional(),
        archive_url: Url.optional(),
        unsubscribe_url: z.string().optional().describe('https one-click unsubscribe URL; {email} and {token} are filled in'),
      })
      .strict(),
    from: z.string().describe('"Name <address>" on the authenticated domain'),
    reply_to: Email.optional(),
    subscribers: z.string().optional().describe('CSV of subscribers, relative to rali.yaml'),
    lists: z.array(Email).optional().describe('List addresses that each get one copy'),
    reminders: z.array(z.string()).optional().describe('Offsets before the start: 1 day, 1 hour, 30 minutes'),
    reminder_grace: z.string().optional().describe('How late a reminder may still go out (default 2 hours)'),
    smtp: z
      .object({
        provider: z.enum(['microsoft365', 'gmail']).optional().describe('Fills host, port, TLS and the sending limits'),
        host: z.string().optional().describe('Required unless provider is set'),
        port: z.number().optional(),
        secure: z.boolean().optional().describe('TLS from the start (port 465); otherwise STARTTLS'),
        user: z.string().optional(),
        name: z.string().optional().describe("Name given in EHLO (default: this machine's fully qualified name)"),
        connections: z.number().optional(),
        per_second: z.number().optional(),
        per_minute: z.number().optional().describe('Most messages a minute (provider default)'),
        per_day: z.number().optional().describe('Most recipients a day (provider default)'),
        oauth: z
          .object({
            tenant: z.string().optional().describe('Microsoft 365: the directory (tenant) id'),
            client_id: z.string().describe('The application (client) id'),
            token_url: z
              .string()
              .optional()
              .describe('Any provider: a token endpoint for the refresh_token grant (RALI_SMTP_REFRESH_TOKEN)'),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    templates: z.string().optional().describe('Folder whose files override the built-in templates'),
    ledger: z
      .string()
      .optional()
      .describe(
        'A ledger shared by several machines: postgres://user@host:5432/db (the password from PGPASSWORD, or RALI_LEDGER_URL); default .rali/state.db beside rali.yaml',
      ),
    ledger_id: z.string().optional().describe('Written by rali: the identity of the ledger this series was sent from (keep it in git)'),
    ledger_home: z.string().optional().describe('Written by rali: where that ledger is (machine:folder), for a copy or a clone to say so'),
    talks: z.string().optional().describe('Folder of talk files (default talks/)'),
    outbox: z.string().optional().describe('Where messages go with no SMTP server (default outbox/)'),
    ics: z
      .object({
        method: z
          .enum(['publish', 'request'])
          .optional()
          .describe(
            'Calendar method of the mails (default request: each recipient a non-RSVP attendee, so calendars apply updates and cancels); publish: a plain copy',
          ),
      })
      .strict()
      .optional(),
    site: z
      .object({
        url: Url.optional().describe('Public address of the site, e.g. https://rali.iro.umontreal.ca/seminaires/ (absolute links, feeds)'),
        output: z.string().optional().describe('Folder `rali site` writes, relative to rali.yaml (default site/)'),
        show_passcode: z.boolean().optional().describe('Show the meeting passcode and one-tap string on the public site (default false)'),
        show_join_link: z.boolean().optional().describe('Show the meeting join link on the public site (default true)'),
      })
      .strict()
      .optional()
      .describe('The public web pages and calendar feed built by `rali site`'),
    serve: z
      .object({
        url: Url.describe(
          'Public address of `rali serve` behind the web server, e.g. https://seminaires.example.org/abonnement/: the subscribe page, the one-click unsubscribe links and the preferences pages',
        ),
      })
      .strict()
      .optional()
      .describe('Subscriptions on the web (`rali serve`)'),
    inbox: z
      .object({
        mailboxes: z
          .array(
            z
              .object({
                host: z.string().optional().describe('IMAP server (TLS, port 993)'),
                port: z.number().int().min(1).max(65535).optional(),
                user: z.string().optional(),
                folder: z.string().optional().describe('Folder to read (default INBOX)'),
                done_folder: z.string().optional().describe('Handled messages are moved here (default: flagged and left in place)'),
                maildir: z.string().optional().describe('Read this Maildir instead of IMAP, relative to rali.yaml'),
                password_env: z
                  .string()
                  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be the name of an environment variable, e.g. RALI_IMAP_PASSWORD_REPLY')
                  .optional()
                  .describe('The environment variable holding this mailbox password (default RALI_IMAP_PASSWORD)'),
              })
              .strict(),
          )
          .optional()
          .describe('Several mailboxes read by one run (the From mailbox for bounces, the Reply-To one for unsubscribe requests)'),
        authserv_id: z
          .string()
          .optional()
          .describe("Your receiving server's Authentication-Results id: only its verdicts on SPF, DKIM and DMARC are read"),
        host: z
          .string()
          .optional()
          .describe('IMAP server (TLS, port 993); password in RALI_IMAP_PASSWORD or OAuth2 token in RALI_IMAP_ACCESS_TOKEN'),
        port: z.number().int().min(1).max(65535).optional(),
        user: z.string().optional(),
        folder: z.string().optional().describe('Folder to read (default INBOX)'),
        done_folder: z.string().optional().describe('Handled messages are moved here (default: flagged and left in place)'),
        maildir: z.string().optional().describe('Read this Maildir instead of IMAP, relative to rali.yaml'),
        bounce_address: z
          .string()
          .regex(/^[^@\s]*\{token\}[^@\s]*@[^@\s]+$/, 'must contain {token} before the @, e.g. rali-olst+{token}@example.org')
          .optional()
          .describe('Per-recipient envelope sender (VERP), e.g. rali-olst+{token}@example.org'),
        soft_limit: z.number().int().min(1).optional().describe('Soft bounces that suppress an address (default 3)'),
        soft_days: z.number().int().min(1).optional().describe('Within this many days (default 30)'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type SeriesFile = z.infer<typeof SeriesFile>;
