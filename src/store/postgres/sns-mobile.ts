import type {
  PlatformApplicationRecord,
  PlatformEndpointRecord,
  SmsSandboxNumberRecord,
  SmsSettingsRecord,
  SnsMobileStore,
} from '../sns-contract.js';
import { countOf, rowsOf, type PostgresHost, type Sql } from './host.js';

interface ApplicationRow {
  arn: string;
  account_id: string;
  region: string;
  name: string;
  platform: string;
  attributes: string;
  created_at: number;
}

interface EndpointRow {
  arn: string;
  application_arn: string;
  token: string;
  attributes: string;
  created_at: number;
}

interface SandboxRow {
  account_id: string;
  region: string;
  phone_number: string;
  status: 'Pending' | 'Verified';
  one_time_password: string | null;
  created_at: number;
}

const toApplication = (r: ApplicationRow): PlatformApplicationRecord =>
  Object.freeze({
    arn: r.arn,
    accountId: r.account_id,
    region: r.region,
    name: r.name,
    platform: r.platform,
    attributes: Object.freeze(JSON.parse(r.attributes) as Record<string, string>),
    createdAt: r.created_at,
  });

const toEndpoint = (r: EndpointRow): PlatformEndpointRecord =>
  Object.freeze({
    arn: r.arn,
    applicationArn: r.application_arn,
    token: r.token,
    attributes: Object.freeze(JSON.parse(r.attributes) as Record<string, string>),
    createdAt: r.created_at,
  });

const toSandboxNumber = (r: SandboxRow): SmsSandboxNumberRecord =>
  Object.freeze({
    accountId: r.account_id,
    region: r.region,
    phoneNumber: r.phone_number,
    status: r.status,
    ...(r.one_time_password !== null ? { oneTimePassword: r.one_time_password } : {}),
    createdAt: r.created_at,
  });

/**
 * SNS mobile push and SMS on the PostgreSQL engine's database (migration 2), the tables of the SQLite engine's
 * sns-mobile.ts. Nothing is cached: other nodes change these rows at any time, and none is on the topic publish path.
 */
export class PostgresSnsMobile implements SnsMobileStore {
  private readonly s: ReturnType<typeof statements>;

  constructor(private readonly host: PostgresHost) {
    this.s = statements(host.quotedSchema);
  }

  private get pool() {
    return this.host.pool;
  }

  async putPlatformApplication(app: PlatformApplicationRecord): Promise<void> {
    await countOf(this.pool, this.s.putApplication, [app.arn, app.accountId, app.region, app.name, app.platform, JSON.stringify(app.attributes), app.createdAt]);
  }

  async getPlatformApplication(arn: string): Promise<PlatformApplicationRecord | undefined> {
    const [row] = await rowsOf<ApplicationRow>(this.pool, this.s.getApplication, [arn]);
    return row && toApplication(row);
  }

  async updatePlatformApplication(app: PlatformApplicationRecord): Promise<void> {
    await countOf(this.pool, this.s.updateApplication, [JSON.stringify(app.attributes), app.arn]);
  }

  async listPlatformApplications(accountId: string, region: string, startAfterArn: string | undefined, limit: number) {
    return (await rowsOf<ApplicationRow>(this.pool, this.s.listApplications, [accountId, region, startAfterArn ?? '', limit])).map(toApplication);
  }

  async deletePlatformApplication(arn: string): Promise<void> {
    await this.host.transaction(async (c) => {
      await countOf(c, this.s.deleteApplication, [arn]);
      await countOf(c, this.s.deleteApplicationEndpoints, [arn]);
    });
  }

  createPlatformEndpoint(e: PlatformEndpointRecord): Promise<{ endpoint: PlatformEndpointRecord; created: boolean }> {
    // Two nodes registering one token at once must make one endpoint: both first lock a key of (application,
    // token) for the rest of the transaction, so the second one finds the first one's row.
    return this.host.transaction(async (c) => {
      await c.query({ name: this.s.lockToken.name, text: this.s.lockToken.text, values: [`${e.applicationArn}\n${e.token}`] });
      const [existing] = await rowsOf<EndpointRow>(c, this.s.endpointByToken, [e.applicationArn, e.token]);
      if (existing) return { endpoint: toEndpoint(existing), created: false };
      await countOf(c, this.s.insertEndpoint, [e.arn, e.applicationArn, e.token, JSON.stringify(e.attributes), e.createdAt]);
      return { endpoint: e, created: true };
    });
  }

  async getPlatformEndpoint(arn: string): Promise<PlatformEndpointRecord | undefined> {
    const [row] = await rowsOf<EndpointRow>(this.pool, this.s.getEndpoint, [arn]);
    return row && toEndpoint(row);
  }

  async listPlatformEndpoints(applicationArn: string, startAfterArn: string | undefined, limit: number) {
    return (await rowsOf<EndpointRow>(this.pool, this.s.listEndpoints, [applicationArn, startAfterArn ?? '', limit])).map(toEndpoint);
  }

  async updatePlatformEndpoint(e: PlatformEndpointRecord): Promise<void> {
    await countOf(this.pool, this.s.updateEndpoint, [e.token, JSON.stringify(e.attributes), e.arn]);
  }

  async deletePlatformEndpoint(arn: string): Promise<void> {
    await countOf(this.pool, this.s.deleteEndpoint, [arn]);
  }

  async smsSettings(accountId: string, region: string, defaultInSandbox: boolean): Promise<SmsSettingsRecord> {
    const [row] = await rowsOf<{ attributes: string; in_sandbox: boolean }>(this.pool, this.s.getSettings, [accountId, region]);
    if (!row) return { attributes: {}, inSandbox: defaultInSandbox };
    return { attributes: JSON.parse(row.attributes) as Record<string, string>, inSandbox: row.in_sandbox };
  }

  async putSmsSettings(accountId: string, region: string, settings: SmsSettingsRecord): Promise<void> {
    await countOf(this.pool, this.s.putSettings, [accountId, region, JSON.stringify(settings.attributes), settings.inSandbox]);
  }

  async optOutPhoneNumber(accountId: string, region: string, phoneNumber: string): Promise<void> {
    await countOf(this.pool, this.s.optOut, [accountId, region, phoneNumber]);
  }

  async optInPhoneNumber(accountId: string, region: string, phoneNumber: string, now: number): Promise<void> {
    await countOf(this.pool, this.s.optIn, [now, accountId, region, phoneNumber]);
  }

  async phoneNumberStatus(accountId: string, region: string, phoneNumber: string) {
    const [row] = await rowsOf<{ opted_out: boolean; opted_in_at: number | null }>(this.pool, this.s.getPhoneNumber, [accountId, region, phoneNumber]);
    if (!row) return { optedOut: false };
    return { optedOut: row.opted_out, ...(row.opted_in_at !== null ? { optedInAt: row.opted_in_at } : {}) };
  }

  async listOptedOutPhoneNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number): Promise<string[]> {
    const rows = await rowsOf<{ phone_number: string }>(this.pool, this.s.listOptedOut, [accountId, region, startAfter ?? '', limit]);
    return rows.map((r) => r.phone_number);
  }

  async putSandboxNumber(n: SmsSandboxNumberRecord): Promise<void> {
    await countOf(this.pool, this.s.putSandbox, [n.accountId, n.region, n.phoneNumber, n.status, n.oneTimePassword ?? null, n.createdAt]);
  }

  async getSandboxNumber(accountId: string, region: string, phoneNumber: string): Promise<SmsSandboxNumberRecord | undefined> {
    const [row] = await rowsOf<SandboxRow>(this.pool, this.s.getSandbox, [accountId, region, phoneNumber]);
    return row && toSandboxNumber(row);
  }

  async deleteSandboxNumber(accountId: string, region: string, phoneNumber: string): Promise<boolean> {
    return (await countOf(this.pool, this.s.deleteSandbox, [accountId, region, phoneNumber])) > 0;
  }

  async listSandboxNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number): Promise<SmsSandboxNumberRecord[]> {
    return (await rowsOf<SandboxRow>(this.pool, this.s.listSandbox, [accountId, region, startAfter ?? '', limit])).map(toSandboxNumber);
  }
}

function statements(S: string) {
  const st = (name: string, text: string): Sql => ({ name: `pb_sns_${name}`, text });
  return {
    putApplication: st(
      'put_application',
      `INSERT INTO ${S}.sns_platform_applications (arn, account_id, region, name, platform, attributes, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes`,
    ),
    getApplication: st('get_application', `SELECT * FROM ${S}.sns_platform_applications WHERE arn = $1`),
    updateApplication: st('update_application', `UPDATE ${S}.sns_platform_applications SET attributes = $1 WHERE arn = $2`),
    listApplications: st(
      'list_applications',
      `SELECT * FROM ${S}.sns_platform_applications WHERE account_id = $1 AND region = $2 AND arn > $3 ORDER BY arn LIMIT $4`,
    ),
    deleteApplication: st('delete_application', `DELETE FROM ${S}.sns_platform_applications WHERE arn = $1`),
    deleteApplicationEndpoints: st('delete_application_endpoints', `DELETE FROM ${S}.sns_platform_endpoints WHERE application_arn = $1`),
    lockToken: st('lock_endpoint_token', `SELECT pg_advisory_xact_lock(hashtextextended($1, 1))`),
    insertEndpoint: st(
      'insert_endpoint',
      `INSERT INTO ${S}.sns_platform_endpoints (arn, application_arn, token, attributes, created_at) VALUES ($1, $2, $3, $4, $5)`,
    ),
    endpointByToken: st(
      'endpoint_by_token',
      `SELECT * FROM ${S}.sns_platform_endpoints WHERE application_arn = $1 AND token = $2 ORDER BY arn LIMIT 1`,
    ),
    getEndpoint: st('get_endpoint', `SELECT * FROM ${S}.sns_platform_endpoints WHERE arn = $1`),
    listEndpoints: st(
      'list_endpoints',
      `SELECT * FROM ${S}.sns_platform_endpoints WHERE application_arn = $1 AND arn > $2 ORDER BY arn LIMIT $3`,
    ),
    updateEndpoint: st('update_endpoint', `UPDATE ${S}.sns_platform_endpoints SET token = $1, attributes = $2 WHERE arn = $3`),
    deleteEndpoint: st('delete_endpoint', `DELETE FROM ${S}.sns_platform_endpoints WHERE arn = $1`),
    getSettings: st('get_sms_settings', `SELECT attributes, in_sandbox FROM ${S}.sns_sms_settings WHERE account_id = $1 AND region = $2`),
    putSettings: st(
      'put_sms_settings',
      `INSERT INTO ${S}.sns_sms_settings (account_id, region, attributes, in_sandbox) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, region) DO UPDATE SET attributes = excluded.attributes, in_sandbox = excluded.in_sandbox`,
    ),
    optOut: st(
      'opt_out',
      `INSERT INTO ${S}.sns_sms_phone_numbers (account_id, region, phone_number, opted_out) VALUES ($1, $2, $3, true)
       ON CONFLICT (account_id, region, phone_number) DO UPDATE SET opted_out = true`,
    ),
    optIn: st(
      'opt_in',
      `UPDATE ${S}.sns_sms_phone_numbers SET opted_out = false, opted_in_at = $1
       WHERE account_id = $2 AND region = $3 AND phone_number = $4 AND opted_out`,
    ),
    getPhoneNumber: st(
      'get_phone_number',
      `SELECT opted_out, opted_in_at FROM ${S}.sns_sms_phone_numbers WHERE account_id = $1 AND region = $2 AND phone_number = $3`,
    ),
    listOptedOut: st(
      'list_opted_out',
      `SELECT phone_number FROM ${S}.sns_sms_phone_numbers
       WHERE account_id = $1 AND region = $2 AND opted_out AND phone_number > $3 ORDER BY phone_number LIMIT $4`,
    ),
    putSandbox: st(
      'put_sandbox_number',
      `INSERT INTO ${S}.sns_sms_sandbox_numbers (account_id, region, phone_number, status, one_time_password, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (account_id, region, phone_number) DO UPDATE SET status = excluded.status, one_time_password = excluded.one_time_password`,
    ),
    getSandbox: st(
      'get_sandbox_number',
      `SELECT * FROM ${S}.sns_sms_sandbox_numbers WHERE account_id = $1 AND region = $2 AND phone_number = $3`,
    ),
    deleteSandbox: st(
      'delete_sandbox_number',
      `DELETE FROM ${S}.sns_sms_sandbox_numbers WHERE account_id = $1 AND region = $2 AND phone_number = $3`,
    ),
    listSandbox: st(
      'list_sandbox_numbers',
      `SELECT * FROM ${S}.sns_sms_sandbox_numbers WHERE account_id = $1 AND region = $2 AND phone_number > $3 ORDER BY phone_number LIMIT $4`,
    ),
  };
}
