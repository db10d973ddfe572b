/**
 * Outlook/MAPI profiles of every user visible through a {@link RegistryPort}: the profile list of
 * each layout, the default profile, and per profile its message services and their providers,
 * with the KOFF service marked.
 *
 * Layouts (docs/windows-state.md, "Outlook profiles"):
 * - `"16.0"`: `<user>\Software\Microsoft\Office\16.0\Outlook\Profiles\<name>` (Outlook 2016/2019/2021/2024/M365);
 *   default in REG_SZ `DefaultProfile` under `<user>\Software\Microsoft\Office\16.0\Outlook`;
 * - `"15.0"`: the same under `Office\15.0` (Outlook 2013);
 * - `"wms"`: `<user>\Software\Microsoft\Windows NT\CurrentVersion\Windows Messaging Subsystem\Profiles\<name>`
 *   (Outlook 97–2010); default in `DefaultProfile` on the `Profiles` key itself.
 *
 * Services (docs/windows-state.md, "Outlook profiles"): each profile subkey is a section named by a
 * MAPIUID in hex. The service table anchor `9207f3e0a3b11019908b08002b2a56c2` lists service UIDs in
 * `01023d0e` (PR_SERVICES). A service section holds PR_SERVICE_NAME (`001e3d09`/`001f3d09`),
 * PR_SERVICE_DLL_NAME (`…3d0a`), PR_SERVICE_ENTRY_NAME (`…3d0b`) and provider UID lists
 * `01023d00/01/02`; provider sections hold PR_PROVIDER_DLL_NAME (`…300a`), PR_RESOURCE_TYPE
 * (`00033e03`) and PR_SERVICE_UID (`01023d0c`). Because the anchor can be damaged, every section is
 * also scanned (§2.3 step 3), and sections listed but missing ("dangling") or attached to no
 * service ("orphan") are reported.
 *
 * Microsoft does not document this layout (KB 266352); this module only reads it.
 */
import type { RegKey, RegistryPort } from "../ports/registry.js";
import {
  PropId,
  readProfileLong,
  readProfileString,
  readUidList,
  type ProfileString,
} from "./mapi-property.js";
import { prefetchSubtree } from "./prefetch.js";
import { findValue, joinKey, stableRegExp, valueAsString } from "./registry-read.js";

/** Which registry layout a profile was found in. */
export type OutlookProfileLayout = "16.0" | "15.0" | "wms";

/** Section name of the profile's service-table anchor (§2.2). */
export const SERVICE_TABLE_SECTION = "9207f3e0a3b11019908b08002b2a56c2";

/** Largest number of profiles read per user and layout. */
export const MAX_PROFILES_PER_LAYOUT = 256;
/** Largest number of sections (subkeys) read per profile. */
export const MAX_SECTIONS_PER_PROFILE = 4096;

/** The KOFF provider DLL by default: `kofmsp.dll`, `kofmsp32.dll`, any directory prefix. */
export const DEFAULT_KOFF_DLL_PATTERN = /kofmsp/i;

/** One provider of a message service. */
export interface ProfileProvider {
  /** Section UID (32 lowercase hex digits) = subkey name. */
  uid: string;
  /** PR_PROVIDER_DLL_NAME as registered (no "32"), when present. */
  dllName: string | undefined;
  /** PR_RESOURCE_TYPE: 33 store, 34 address book, 35 AB provider, 36 transport. */
  resourceType: number | undefined;
  /** PR_DISPLAY_NAME, when present. */
  displayName: string | undefined;
  /** True when `dllName` matches the KOFF pattern. */
  isKoff: boolean;
  /** Registry key of the section (evidence). */
  key: string;
}

/** One message service in a profile. */
export interface ProfileService {
  /** Section UID = subkey name. */
  uid: string;
  /** PR_SERVICE_NAME (the MAPISVC.INF `[Services]` key name). */
  serviceName: string | undefined;
  /** PR_SERVICE_DLL_NAME as registered (no "32"). */
  dllName: string | undefined;
  /** PR_SERVICE_ENTRY_NAME (the export MAPI calls). */
  entryName: string | undefined;
  /** PR_DISPLAY_NAME. */
  displayName: string | undefined;
  /** Which representation the DLL name was stored in (`001f3d0a` unicode / `001e3d0a` ansi). */
  dllNameForm: ProfileString["form"] | undefined;
  /** True when the service DLL or any provider DLL matches the KOFF pattern. */
  isKoff: boolean;
  /** True when the anchor's PR_SERVICES lists this UID; false when found only by scanning. */
  listedInServiceTable: boolean;
  providers: ProfileProvider[];
  /** Provider UIDs listed in `01023d00/01/02` with no section key. */
  danglingProviderUids: string[];
  /** Registry key of the section (evidence). */
  key: string;
}

/** One profile. */
export interface OutlookProfile {
  /** User name as given by `RegistryPort.users()`. */
  user: string;
  office: OutlookProfileLayout;
  /** Profile name = subkey name. */
  name: string;
  /** True when this layout's `DefaultProfile` names this profile (case-insensitive). */
  isDefault: boolean;
  services: ProfileService[];
  /** True when the service-table anchor section exists and has PR_SERVICES. */
  serviceTableFound: boolean;
  /** UIDs listed in PR_SERVICES with no section key (profile corruption). */
  danglingServiceUids: string[];
  /** Provider sections (PR_PROVIDER_DLL_NAME present) attached to no service. */
  orphanProviders: ProfileProvider[];
  /** True when the section count exceeded {@link MAX_SECTIONS_PER_PROFILE}. */
  truncated: boolean;
  /** Registry key of the profile (evidence). */
  key: string;
}

/** The `DefaultProfile` setting of one user and layout. */
export interface DefaultProfileSetting {
  user: string;
  office: OutlookProfileLayout;
  /** The value's data, or `undefined` when the value is absent. */
  name: string | undefined;
  /** True when `name` is set and a profile of that name exists in the layout. */
  profileExists: boolean;
  /** Key holding the `DefaultProfile` value (evidence). */
  key: string;
}

/** Everything {@link readOutlookProfiles} found. */
export interface OutlookProfilesResult {
  profiles: OutlookProfile[];
  /** One entry per user and layout whose `Profiles` key exists. */
  defaults: DefaultProfileSetting[];
  /** Every key that existed and was read, for evidence. */
  evidence: string[];
  /** `port.describe()`. */
  source: string;
}

/** Options of {@link readOutlookProfiles}. */
export interface ReadOutlookProfilesOptions {
  /** What marks a KOFF DLL name. Default {@link DEFAULT_KOFF_DLL_PATTERN}. */
  koffDllPattern?: RegExp;
}

interface LayoutSpec {
  office: OutlookProfileLayout;
  profiles: string;
  defaultKey: string;
}

function layouts(root: string): LayoutSpec[] {
  const office = (ver: "16.0" | "15.0"): LayoutSpec => ({
    office: ver,
    profiles: joinKey(root, "Software\\Microsoft\\Office", ver, "Outlook\\Profiles"),
    defaultKey: joinKey(root, "Software\\Microsoft\\Office", ver, "Outlook"),
  });
  const wms = joinKey(
    root,
    "Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows Messaging Subsystem\\Profiles",
  );
  return [office("16.0"), office("15.0"), { office: "wms", profiles: wms, defaultKey: wms }];
}

/**
 * Reads every Outlook profile of every user of `port`.
 *
 * Never throws for missing keys or odd values (a missing key is simply absent from the result);
 * errors thrown by the port itself propagate.
 */
export async function readOutlookProfiles(
  port: RegistryPort,
  options: ReadOutlookProfilesOptions = {},
): Promise<OutlookProfilesResult> {
  const pattern = stableRegExp(options.koffDllPattern ?? DEFAULT_KOFF_DLL_PATTERN);
  const result: OutlookProfilesResult = { profiles: [], defaults: [], evidence: [], source: port.describe() };
  for (const { user, root } of await port.users()) {
    for (const spec of layouts(root)) {
      await prefetchSubtree(port, spec.defaultKey);
      const profilesKey = await port.getKey(spec.profiles);
      if (profilesKey === undefined) continue;
      result.evidence.push(spec.profiles);
      const defaultKey = spec.defaultKey === spec.profiles ? profilesKey : await port.getKey(spec.defaultKey);
      if (defaultKey !== undefined && spec.defaultKey !== spec.profiles)
        result.evidence.push(spec.defaultKey);
      const defaultName = valueAsString(findValue(defaultKey, "DefaultProfile"));
      const names = profilesKey.subkeys.slice(0, MAX_PROFILES_PER_LAYOUT);
      const lowerDefault = defaultName?.toLowerCase();
      result.defaults.push({
        user,
        office: spec.office,
        name: defaultName,
        profileExists: lowerDefault !== undefined && names.some((n) => n.toLowerCase() === lowerDefault),
        key: spec.defaultKey,
      });
      for (const name of names) {
        const profile = await readProfile(port, joinKey(spec.profiles, name), pattern, result.evidence);
        result.profiles.push({
          user,
          office: spec.office,
          name,
          isDefault: lowerDefault !== undefined && name.toLowerCase() === lowerDefault,
          ...profile,
        });
      }
    }
  }
  return result;
}

type ProfileBody = Omit<OutlookProfile, "user" | "office" | "name" | "isDefault">;

async function readProfile(
  port: RegistryPort,
  key: string,
  pattern: RegExp,
  evidence: string[],
): Promise<ProfileBody> {
  const profileKey = await port.getKey(key);
  const body: ProfileBody = {
    services: [],
    serviceTableFound: false,
    danglingServiceUids: [],
    orphanProviders: [],
    truncated: false,
    key,
  };
  if (profileKey === undefined) return body;
  evidence.push(key);
  body.truncated = profileKey.subkeys.length > MAX_SECTIONS_PER_PROFILE;
  // Sections by lowercase UID. The anchor, the services it lists and their listed providers are
  // read first (explicit references survive the cap); then the remaining subkeys up to the cap.
  const names = new Map(profileKey.subkeys.map((n) => [n.toLowerCase(), n]));
  const sections = new Map<string, RegKey>();
  const load = async (uid: string): Promise<void> => {
    const name = names.get(uid);
    if (name === undefined || sections.has(uid)) return;
    const section = await port.getKey(joinKey(key, name));
    if (section !== undefined) sections.set(uid, section);
  };
  await load(SERVICE_TABLE_SECTION);
  const anchor = sections.get(SERVICE_TABLE_SECTION);
  const listed = anchor === undefined ? undefined : readUidList(anchor, PropId.PR_SERVICES);
  body.serviceTableFound = listed !== undefined;
  const listedUids = new Set(listed?.uids ?? []);
  for (const uid of listedUids) {
    await load(uid);
    const s = sections.get(uid);
    if (s === undefined) continue;
    for (const id of [PropId.PR_STORE_PROVIDERS, PropId.PR_AB_PROVIDERS, PropId.PR_TRANSPORT_PROVIDERS]) {
      for (const p of readUidList(s, id)?.uids ?? []) await load(p);
    }
  }
  for (const lower of [...names.keys()].slice(0, MAX_SECTIONS_PER_PROFILE)) await load(lower);
  for (const uid of listedUids) if (!names.has(uid)) body.danglingServiceUids.push(uid);

  const isProviderSection = (s: RegKey): boolean =>
    readProfileString(s, PropId.PR_PROVIDER_DLL_NAME) !== undefined;
  const isServiceLike = (s: RegKey): boolean =>
    readProfileString(s, PropId.PR_SERVICE_DLL_NAME) !== undefined ||
    readProfileString(s, PropId.PR_SERVICE_NAME) !== undefined;

  // Service sections: those listed, plus (fallback scan) any section carrying service
  // properties that is not itself a provider section.
  const serviceUids: string[] = [];
  for (const uid of listedUids) if (sections.has(uid)) serviceUids.push(uid);
  for (const [uid, s] of sections) {
    if (uid === SERVICE_TABLE_SECTION || listedUids.has(uid)) continue;
    if (isServiceLike(s) && !isProviderSection(s)) serviceUids.push(uid);
  }

  // Provider sections by the service their PR_SERVICE_UID names (fallback attachment), built once.
  const providersByService = new Map<string, string[]>();
  for (const [uid, s] of sections) {
    if (!isProviderSection(s)) continue;
    const owner = readUidList(s, PropId.PR_SERVICE_UID)?.uids[0];
    if (owner === undefined) continue;
    const list = providersByService.get(owner);
    if (list === undefined) providersByService.set(owner, [uid]);
    else list.push(uid);
  }

  const serviceSet = new Set(serviceUids);
  const attached = new Set<string>();
  for (const uid of serviceUids) {
    const s = sections.get(uid);
    if (s === undefined) continue;
    const service = readService(uid, s, pattern, listedUids.has(uid));
    const providerUids = new Set<string>();
    for (const id of [PropId.PR_STORE_PROVIDERS, PropId.PR_AB_PROVIDERS, PropId.PR_TRANSPORT_PROVIDERS]) {
      for (const p of readUidList(s, id)?.uids ?? []) providerUids.add(p);
    }
    for (const p of providersByService.get(uid) ?? []) providerUids.add(p);
    for (const puid of providerUids) {
      const ps = sections.get(puid);
      if (ps === undefined) {
        service.danglingProviderUids.push(puid);
        continue;
      }
      attached.add(puid);
      service.providers.push(readProvider(puid, ps, pattern));
    }
    service.isKoff = service.isKoff || service.providers.some((p) => p.isKoff);
    body.services.push(service);
  }
  for (const [uid, s] of sections) {
    if (attached.has(uid) || serviceSet.has(uid) || !isProviderSection(s)) continue;
    body.orphanProviders.push(readProvider(uid, s, pattern));
  }
  return body;
}

function readService(uid: string, s: RegKey, pattern: RegExp, listed: boolean): ProfileService {
  const dll = readProfileString(s, PropId.PR_SERVICE_DLL_NAME);
  return {
    uid,
    serviceName: readProfileString(s, PropId.PR_SERVICE_NAME)?.value,
    dllName: dll?.value,
    entryName: readProfileString(s, PropId.PR_SERVICE_ENTRY_NAME)?.value,
    displayName: readProfileString(s, PropId.PR_DISPLAY_NAME)?.value,
    dllNameForm: dll?.form,
    isKoff: dll !== undefined && pattern.test(dll.value),
    listedInServiceTable: listed,
    providers: [],
    danglingProviderUids: [],
    key: s.path,
  };
}

function readProvider(uid: string, s: RegKey, pattern: RegExp): ProfileProvider {
  const dll = readProfileString(s, PropId.PR_PROVIDER_DLL_NAME)?.value;
  return {
    uid,
    dllName: dll,
    resourceType: readProfileLong(s, PropId.PR_RESOURCE_TYPE),
    displayName: readProfileString(s, PropId.PR_DISPLAY_NAME)?.value,
    isKoff: dll !== undefined && pattern.test(dll),
    key: s.path,
  };
}
