import type { Database, Statement } from 'better-sqlite3';
import type {
  PlatformApplicationRecord,
  PlatformEndpointRecord,
  SmsSandboxNumberRecord,
  SmsSettingsRecord,
  SnsMobileStore,
} from '../sns-contract.js';
import type { GroupCommit } from './group-commit.js';

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
 * SNS mobile push and SMS on the SQLite engine's database and group commit (migration 8). Nothing is cached: these
 * are looked up once per call, never on the topic publish path.
 */
export class SqliteSnsMobile implements SnsMobileStore {
  private readonly s: ReturnType<typeof prepare>;
  private readonly deleteApplicationTx: (arn: string) => void;
  private readonly createEndpointTx: (e: PlatformEndpointRecord) => { endpoint: PlatformEndpointRecord; created: boolean };

  constructor(
    db: Database,
    private readonly group: GroupCommit,
  ) {
    this.s = prepare(db);
    this.deleteApplicationTx = db.transaction((arn: string) => {
      this.s.deleteApplication.run(arn);
      this.s.deleteApplicationEndpoints.run(arn);
    });
    // Check and insert in one transaction: two concurrent registrations of one token make one endpoint.
    this.createEndpointTx = db.transaction((e: PlatformEndpointRecord) => {
      const existing = this.s.endpointByToken.get(e.applicationArn, e.token) as EndpointRow | undefined;
      if (existing) return { endpoint: toEndpoint(existing), created: false };
      this.s.insertEndpoint.run(e.arn, e.applicationArn, e.token, JSON.stringify(e.attributes), e.createdAt);
      return { endpoint: e, created: true };
    });
  }

  putPlatformApplication(app: PlatformApplicationRecord): Promise<void> {
    return this.group.write(
      () =>
        void this.s.putApplication.run(app.arn, app.accountId, app.region, app.name, app.platform, JSON.stringify(app.attributes), app.createdAt),
    );
  }

  getPlatformApplication(arn: string): Promise<PlatformApplicationRecord | undefined> {
    return this.group.read(() => {
      const row = this.s.getApplication.get(arn) as ApplicationRow | undefined;
      return row && toApplication(row);
    });
  }

  updatePlatformApplication(app: PlatformApplicationRecord): Promise<void> {
    return this.group.write(() => void this.s.updateApplication.run(JSON.stringify(app.attributes), app.arn));
  }

  listPlatformApplications(accountId: string, region: string, startAfterArn: string | undefined, limit: number) {
    return this.group.read(() =>
      (this.s.listApplications.all(accountId, region, startAfterArn ?? '', limit) as ApplicationRow[]).map(toApplication),
    );
  }

  deletePlatformApplication(arn: string): Promise<void> {
    return this.group.write(() => this.deleteApplicationTx(arn));
  }

  createPlatformEndpoint(endpoint: PlatformEndpointRecord) {
    return this.group.write(() => this.createEndpointTx(endpoint));
  }

  getPlatformEndpoint(arn: string): Promise<PlatformEndpointRecord | undefined> {
    return this.group.read(() => {
      const row = this.s.getEndpoint.get(arn) as EndpointRow | undefined;
      return row && toEndpoint(row);
    });
  }

  listPlatformEndpoints(applicationArn: string, startAfterArn: string | undefined, limit: number) {
    return this.group.read(() => (this.s.listEndpoints.all(applicationArn, startAfterArn ?? '', limit) as EndpointRow[]).map(toEndpoint));
  }

  updatePlatformEndpoint(e: PlatformEndpointRecord): Promise<void> {
    return this.group.write(() => void this.s.updateEndpoint.run(e.token, JSON.stringify(e.attributes), e.arn));
  }

  deletePlatformEndpoint(arn: string): Promise<void> {
    return this.group.write(() => void this.s.deleteEndpoint.run(arn));
  }

  smsSettings(accountId: string, region: string, defaultInSandbox: boolean): Promise<SmsSettingsRecord> {
    return this.group.read(() => {
      const row = this.s.getSettings.get(accountId, region) as { attributes: string; in_sandbox: number } | undefined;
      if (!row) return { attributes: {}, inSandbox: defaultInSandbox };
      return { attributes: JSON.parse(row.attributes) as Record<string, string>, inSandbox: row.in_sandbox === 1 };
    });
  }

  putSmsSettings(accountId: string, region: string, settings: SmsSettingsRecord): Promise<void> {
    return this.group.write(
      () => void this.s.putSettings.run(accountId, region, JSON.stringify(settings.attributes), settings.inSandbox ? 1 : 0),
    );
  }

  optOutPhoneNumber(accountId: string, region: string, phoneNumber: string): Promise<void> {
    return this.group.write(() => void this.s.optOut.run(accountId, region, phoneNumber));
  }

  optInPhoneNumber(accountId: string, region: string, phoneNumber: string, now: number): Promise<void> {
    return this.group.write(() => void this.s.optIn.run(now, accountId, region, phoneNumber));
  }

  phoneNumberStatus(accountId: string, region: string, phoneNumber: string) {
    return this.group.read(() => {
      const row = this.s.getPhoneNumber.get(accountId, region, phoneNumber) as { opted_out: number; opted_in_at: number | null } | undefined;
      if (!row) return { optedOut: false };
      return { optedOut: row.opted_out === 1, ...(row.opted_in_at !== null ? { optedInAt: row.opted_in_at } : {}) };
    });
  }

  listOptedOutPhoneNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number): Promise<string[]> {
    return this.group.read(() =>
      (this.s.listOptedOut.all(accountId, region, startAfter ?? '', limit) as { phone_number: string }[]).map((r) => r.phone_number),
    );
  }

  putSandboxNumber(n: SmsSandboxNumberRecord): Promise<void> {
    return this.group.write(
      () => void this.s.putSandbox.run(n.accountId, n.region, n.phoneNumber, n.status, n.oneTimePassword ?? null, n.createdAt),
    );
  }

  getSandboxNumber(accountId: string, region: string, phoneNumber: string): Promise<SmsSandboxNumberRecord | undefined> {
    return this.group.read(() => {
      const row = this.s.getSandbox.get(accountId, region, phoneNumber) as SandboxRow | undefined;
      return row && toSandboxNumber(row);
    });
  }

  deleteSandboxNumber(accountId: string, region: string, phoneNumber: string): Promise<boolean> {
    return this.group.write(() => this.s.deleteSandbox.run(accountId, region, phoneNumber).changes > 0);
  }

  listSandboxNumbers(accountId: string, region: string, startAfter: string | undefined, limit: number): Promise<SmsSandboxNumberRecord[]> {
    return this.group.read(() => (this.s.listSandbox.all(accountId, region, startAfter ?? '', limit) as SandboxRow[]).map(toSandboxNumber));
  }
}

function prepare(db: Database) {
  const q = (sql: string): Statement => db.prepare(sql);
  return {
    putApplication: q(
      `INSERT INTO sns_platform_applications (arn, account_id, region, name, platform, attributes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (arn) DO UPDATE SET attributes = excluded.attributes`,
    ),
    getApplication: q('SELECT * FROM sns_platform_applications WHERE arn = ?'),
    updateApplication: q('UPDATE sns_platform_applications SET attributes = ? WHERE arn = ?'),
    listApplications: q('SELECT * FROM sns_platform_applications WHERE account_id = ? AND region = ? AND arn > ? ORDER BY arn LIMIT ?'),
    deleteApplication: q('DELETE FROM sns_platform_applications WHERE arn = ?'),
    deleteApplicationEndpoints: q('DELETE FROM sns_platform_endpoints WHERE application_arn = ?'),
    insertEndpoint: q('INSERT INTO sns_platform_endpoints (arn, application_arn, token, attributes, created_at) VALUES (?, ?, ?, ?, ?)'),
    endpointByToken: q('SELECT * FROM sns_platform_endpoints WHERE application_arn = ? AND token = ? ORDER BY arn LIMIT 1'),
    getEndpoint: q('SELECT * FROM sns_platform_endpoints WHERE arn = ?'),
    listEndpoints: q('SELECT * FROM sns_platform_endpoints WHERE application_arn = ? AND arn > ? ORDER BY arn LIMIT ?'),
    updateEndpoint: q('UPDATE sns_platform_endpoints SET token = ?, attributes = ? WHERE arn = ?'),
    deleteEndpoint: q('DELETE FROM sns_platform_endpoints WHERE arn = ?'),
    getSettings: q('SELECT attributes, in_sandbox FROM sns_sms_settings WHERE account_id = ? AND region = ?'),
    putSettings: q(
      `INSERT INTO sns_sms_settings (account_id, region, attributes, in_sandbox) VALUES (?, ?, ?, ?)
       ON CONFLICT (account_id, region) DO UPDATE SET attributes = excluded.attributes, in_sandbox = excluded.in_sandbox`,
    ),
    optOut: q(
      `INSERT INTO sns_sms_phone_numbers (account_id, region, phone_number, opted_out) VALUES (?, ?, ?, 1)
       ON CONFLICT (account_id, region, phone_number) DO UPDATE SET opted_out = 1`,
    ),
    optIn: q('UPDATE sns_sms_phone_numbers SET opted_out = 0, opted_in_at = ? WHERE account_id = ? AND region = ? AND phone_number = ? AND opted_out = 1'),
    getPhoneNumber: q('SELECT opted_out, opted_in_at FROM sns_sms_phone_numbers WHERE account_id = ? AND region = ? AND phone_number = ?'),
    listOptedOut: q(
      'SELECT phone_number FROM sns_sms_phone_numbers WHERE account_id = ? AND region = ? AND opted_out = 1 AND phone_number > ? ORDER BY phone_number LIMIT ?',
    ),
    putSandbox: q(
      `INSERT INTO sns_sms_sandbox_numbers (account_id, region, phone_number, status, one_time_password, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account_id, region, phone_number) DO UPDATE SET status = excluded.status, one_time_password = excluded.one_time_password`,
    ),
    getSandbox: q('SELECT * FROM sns_sms_sandbox_numbers WHERE account_id = ? AND region = ? AND phone_number = ?'),
    deleteSandbox: q('DELETE FROM sns_sms_sandbox_numbers WHERE account_id = ? AND region = ? AND phone_number = ?'),
    listSandbox: q(
      'SELECT * FROM sns_sms_sandbox_numbers WHERE account_id = ? AND region = ? AND phone_number > ? ORDER BY phone_number LIMIT ?',
    ),
  };
}
