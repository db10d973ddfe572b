// Lays out the sample Windows images (examples/<scenario>/) from built binaries: the standard
// Windows folder layout, real hives written by `hivexregedit --merge` from .reg text generated
// here, MAPISVC.INF files, and KOFF cache folders holding Firebird header pages.
// Usage: node make-images.mjs BIN_DIR EXAMPLES_DIR   (called by examples/build.sh)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const [bin, examples] = process.argv.slice(2);
if (!bin || !examples) {
  console.error("usage: node make-images.mjs BIN_DIR EXAMPLES_DIR");
  process.exit(2);
}

const USER = "alice";
const PROFILE = "Kerio";
const INSTALL = "C:\\Program Files (x86)\\Kerio\\Outlook Connector (Offline Edition)";
const UPDATER = "C:\\Program Files (x86)\\Kerio\\UpdaterService";
const CACHE_ROOT = `C:\\Users\\${USER}\\AppData\\Local\\Kerio\\Outlook Connector`;
const ROAMING_DIR = `C:\\Users\\${USER}\\AppData\\Roaming\\Kerio`;

/** Each scenario: what differs from the healthy machine. `expected` = finding ids check must report. */
const SCENARIOS = {
  healthy: { expected: [] },
  "impostor-in-roaming": {
    impostorInRoaming: true,
    expected: ["mapisvc-path-outside-install", "stray-provider-dll"],
  },
  "bitness-mismatch": { officePlatform: "x64", expected: ["bitness-mismatch"] },
  // Its event log (test/helpers/sample-event-logs.ts) shows Outlook crashing in kofmsp32.dll.
  "corrupt-cache": { corruptDatabase: true, expected: ["cache-db-invalid", "outlook-crash-in-provider"] },
  "orphan-cache": { cacheFolder: "Kerio (old)", expected: ["cache-missing", "cache-orphan"] },
  "missing-av-exclusions": { exclusions: [], expected: ["av-exclusion-missing"] },
  "koff-uninstalled": { installed: false, expected: ["install-missing", "profile-koff-orphaned"] },
};

// ---- .reg text (hivexregedit input) -------------------------------------------------------------

const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(",");
const utf16z = (s) => Buffer.concat([Buffer.from(s, "utf16le"), Buffer.alloc(2)]);
const ansiz = (s) => Buffer.concat([Buffer.from(s, "latin1"), Buffer.alloc(1)]);
const quote = (s) => `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
const dword = (n) => `dword:${n.toString(16).padStart(8, "0")}`;
const binary = (bytes) => `hex:${hex(bytes)}`;

/** Renders `{ "Key\\Path": { name: valueText } }` as a .reg file under `rootName`, parents included. */
function regText(rootName, keys) {
  const all = new Map();
  for (const [key, values] of Object.entries(keys)) {
    const parts = key.split("\\");
    for (let i = 1; i <= parts.length; i++) {
      const k = parts.slice(0, i).join("\\");
      if (!all.has(k)) all.set(k, {});
    }
    Object.assign(all.get(key), values);
  }
  const lines = ["Windows Registry Editor Version 5.00", ""];
  for (const [key, values] of all) {
    lines.push(`[${rootName}\\${key}]`);
    for (const [name, text] of Object.entries(values)) lines.push(`${name === "@" ? "@" : quote(name)}=${text}`);
    lines.push("");
  }
  return lines.join("\r\n");
}

/** Writes a hive at `out` from the seed, merged with `.reg` text. */
function buildHive(out, prefix, text) {
  const reg = `${out}.reg`;
  writeFileSync(reg, text);
  copyFileSync(path.join(bin, "seed.hiv"), out);
  execFileSync("hivexregedit", ["--merge", "--prefix", prefix, out, reg]);
  rmSync(reg);
}

// ---- contents -----------------------------------------------------------------------------------

/** Serialized certificate store entry (CERT_SHA1_HASH_PROP_ID 3, then CERT_CERT_PROP_ID 32). */
function certBlob(der) {
  const prop = (id, data) => {
    const head = Buffer.alloc(12);
    head.writeUInt32LE(id, 0);
    head.writeUInt32LE(1, 4);
    head.writeUInt32LE(data.length, 8);
    return Buffer.concat([head, data]);
  };
  const sha1 = createHash("sha1").update(der).digest();
  return { thumbprint: sha1.toString("hex").toUpperCase(), blob: Buffer.concat([prop(3, sha1), prop(32, der)]) };
}

function softwareHive(s) {
  const keys = {};
  const uninstall = "WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall";
  if (s.installed !== false) {
    keys[`${uninstall}\\{6D1A2F10-0B7E-4C1B-9A55-3E2F7C0A1B01}`] = {
      DisplayName: quote("Kerio Outlook Connector (Offline Edition)"),
      DisplayVersion: quote("10.0.8"),
      Publisher: quote("Kerio Technologies Inc."),
      InstallLocation: quote(`${INSTALL}\\`),
      UninstallString: quote("MsiExec.exe /X{6D1A2F10-0B7E-4C1B-9A55-3E2F7C0A1B01}"),
      WindowsInstaller: dword(1),
    };
    keys[`${uninstall}\\{0F4C8E21-5A7D-4E3B-8C61-9B2D0E7A4C02}`] = {
      DisplayName: quote("Kerio Updater Service"),
      DisplayVersion: quote("10.0.8"),
      Publisher: quote("Kerio Technologies Inc."),
      InstallLocation: quote(`${UPDATER}\\`),
    };
  }
  // Who the machine is (the host block of check --json): one MachineGuid per image, and the Windows version.
  const guid = createHash("sha256").update(`koff-doctor sample ${s.name}`).digest("hex");
  keys["Microsoft\\Cryptography"] = {
    MachineGuid: quote(`${guid.slice(0, 8)}-${guid.slice(8, 12)}-4${guid.slice(13, 16)}-a${guid.slice(17, 20)}-${guid.slice(20, 32)}`),
  };
  keys["Microsoft\\Windows NT\\CurrentVersion"] = {
    ProductName: quote("Windows 10 Pro"),
    CurrentBuild: quote("22631"),
    UBR: dword(3447),
    DisplayVersion: quote("23H2"),
    EditionID: quote("Professional"),
  };
  keys["Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip"] = { DisplayName: quote("7-Zip 23.01 (x64)"), DisplayVersion: quote("23.01") };
  keys["Microsoft\\Office\\ClickToRun\\Configuration"] = {
    Platform: quote(s.officePlatform ?? "x86"),
    VersionToReport: quote("16.0.17928.20114"),
    ClientVersionToReport: quote("16.0.17928.20114"),
    ProductReleaseIds: quote("O365ProPlusRetail"),
    CDNBaseUrl: quote("http://officecdn.microsoft.com/pr/492350f6-3a01-4f97-b9c0-c7c6ddf67d60"),
  };
  const exclusions = s.exclusions ?? [INSTALL, `${CACHE_ROOT}`, UPDATER];
  keys["Microsoft\\Windows Defender\\Exclusions\\Paths"] = Object.fromEntries(exclusions.map((p) => [p, dword(0)]));
  const { thumbprint, blob } = certBlob(readFileSync(path.join(bin, "root-ca.der")));
  keys[`Microsoft\\SystemCertificates\\ROOT\\Certificates\\${thumbprint}`] = { Blob: binary(blob) };
  return regText("HKEY_LOCAL_MACHINE\\SOFTWARE", keys);
}

/** An Office 16.0 profile with the KOFF service (store + transport providers), ANSI DLL names. */
function ntuserHive() {
  const base = `Software\\Microsoft\\Office\\16.0\\Outlook`;
  const prof = `${base}\\Profiles\\${PROFILE}`;
  const svc = "4b4f46465345525649434530303030a1";
  const ms = "4b4f464653544f524530303030303031";
  const xp = "4b4f46465452414e53504f5254303032";
  const uid = (h) => Buffer.from(h, "hex");
  return regText("HKEY_CURRENT_USER", {
    [base]: { DefaultProfile: quote(PROFILE) },
    [`${prof}\\9207f3e0a3b11019908b08002b2a56c2`]: { "01023d0e": binary(uid(svc)) },
    [`${prof}\\13dbb0c8aa05101a9bb000aa002fc45a`]: { "001f3001": binary(utf16z(PROFILE)) },
    [`${prof}\\${svc}`]: {
      "001e3d09": binary(ansiz("KOFF")),
      "001e3d0a": binary(ansiz("KOFMSP.DLL")),
      "001e3d0b": binary(ansiz("ServiceEntry")),
      "001f3001": binary(utf16z("Kerio Outlook Connector (Offline Edition)")),
      "01023d0c": binary(uid(svc)),
      "01023d00": binary(uid(ms)),
      "01023d02": binary(uid(xp)),
    },
    [`${prof}\\${ms}`]: { "001e300a": binary(ansiz("KOFMSP.DLL")), "00033e03": binary(Buffer.from([0x21, 0, 0, 0])), "01023d0c": binary(uid(svc)) },
    [`${prof}\\${xp}`]: { "001e300a": binary(ansiz("KOFMSP.DLL")), "00033e03": binary(Buffer.from([0x24, 0, 0, 0])), "01023d0c": binary(uid(svc)) },
    ["Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\User Shell Folders"]: {
      "Local AppData": `hex(2):${hex(utf16z("%USERPROFILE%\\AppData\\Local"))}`,
    },
  });
}

function mapisvcInf(s) {
  const dll = s.impostorInRoaming ? `${ROAMING_DIR}\\kofmsp.dll` : `${INSTALL}\\kofmsp.dll`;
  const koff = s.installed === false
    ? []
    : [
        "",
        "[KOFF]",
        "PR_DISPLAY_NAME=Kerio Outlook Connector (Offline Edition)",
        `PR_SERVICE_DLL_NAME=${dll}`,
        "PR_SERVICE_ENTRY_NAME=ServiceEntry",
        "PR_RESOURCE_FLAGS=SERVICE_SINGLE_COPY",
        "Providers=KOFF_MS, KOFF_XP",
        "",
        "[KOFF_MS]",
        "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER",
        `PR_PROVIDER_DLL_NAME=${dll}`,
        "PR_RESOURCE_FLAGS=STATUS_DEFAULT_STORE",
        "PR_DISPLAY_NAME=Kerio Outlook Connector Store",
        "PR_PROVIDER_DISPLAY=Kerio Outlook Connector Store",
        "",
        "[KOFF_XP]",
        "PR_RESOURCE_TYPE=MAPI_TRANSPORT_PROVIDER",
        `PR_PROVIDER_DLL_NAME=${dll}`,
        "PR_RESOURCE_FLAGS=STATUS_PRIMARY_IDENTITY",
        "PR_DISPLAY_NAME=Kerio Outlook Connector Transport",
        "PR_PROVIDER_DISPLAY=Kerio Outlook Connector Transport",
      ];
  return [
    "; MAPISVC.INF (sample image; only the sections koff-doctor reads)",
    "[Services]",
    "MSUPST MS=Personal Folders File (.pst)",
    ...(s.installed === false ? [] : ["KOFF=Kerio Outlook Connector (Offline Edition)"]),
    "",
    "[MSUPST MS]",
    "PR_DISPLAY_NAME=Personal Folders File (.pst)",
    "PR_SERVICE_DLL_NAME=MSPST.DLL",
    "PR_SERVICE_ENTRY_NAME=PSTServiceEntry",
    "Providers=MSUPST MSP",
    "",
    "[MSUPST MSP]",
    "PR_RESOURCE_TYPE=MAPI_STORE_PROVIDER",
    "PR_PROVIDER_DLL_NAME=MSPST.DLL",
    ...koff,
    "",
  ].join("\r\n");
}

/** A Firebird 2.5 (ODS 11.2) database: header page + 3 empty pages of 8 KiB. */
function firebirdDatabase(corrupt) {
  const pageSize = 8192;
  const db = Buffer.alloc(pageSize * 4);
  if (corrupt) {
    db.fill(0xff, 0, 64); // header page overwritten (e.g. by an interrupted write)
    return db;
  }
  db[0] = 1; // pag_header
  db.writeUInt16LE(pageSize, 0x10);
  db.writeUInt16LE(0x8000 | 11, 0x12);
  db.writeUInt16LE(2, 0x40);
  return db;
}

// ---- layout -------------------------------------------------------------------------------------

function hostPath(root, windowsPath) {
  return path.join(root, ...windowsPath.replace(/^C:\\/, "").split("\\"));
}
function put(root, windowsPath, content) {
  const p = hostPath(root, windowsPath);
  mkdirSync(path.dirname(p), { recursive: true });
  if (typeof content === "string" && content.startsWith("@copy:")) copyFileSync(content.slice(6), p);
  else writeFileSync(p, content);
}

const expected = {};
for (const [name, scenario] of Object.entries(SCENARIOS)) {
  const s = { ...scenario, name };
  const root = path.join(examples, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(hostPath(root, "C:\\Windows\\System32\\config"), { recursive: true });
  buildHive(hostPath(root, "C:\\Windows\\System32\\config\\SOFTWARE"), "HKEY_LOCAL_MACHINE\\SOFTWARE", softwareHive(s));
  mkdirSync(hostPath(root, `C:\\Users\\${USER}`), { recursive: true });
  buildHive(hostPath(root, `C:\\Users\\${USER}\\NTUSER.DAT`), "HKEY_CURRENT_USER", ntuserHive());

  if (s.installed !== false) {
    put(root, `${INSTALL}\\kofmsp32.dll`, `@copy:${path.join(bin, "kofmsp32-x86.dll")}`);
    put(root, `${INSTALL}\\KoffBackend.exe`, `@copy:${path.join(bin, "KoffBackend-x86.exe")}`);
    put(root, `${UPDATER}\\updater.cfg`, "; Kerio Updater Service settings (sample image)\r\n");
  }
  if (s.impostorInRoaming) put(root, `${ROAMING_DIR}\\kofmsp32.dll`, `@copy:${path.join(bin, "impostor.dll")}`);

  const office = s.officePlatform === "x64" ? "C:\\Program Files\\Microsoft Office\\root" : "C:\\Program Files (x86)\\Microsoft Office\\root";
  const common = s.officePlatform === "x64" ? "ProgramFilesCommonX64" : "ProgramFilesCommonX86";
  put(root, `${office}\\vfs\\${common}\\System\\MSMAPI\\1033\\MAPISVC.INF`, mapisvcInf(s));

  const cache = `${CACHE_ROOT}\\${s.cacheFolder ?? PROFILE}`;
  put(root, `${cache}\\koff.fdb`, firebirdDatabase(s.corruptDatabase === true));
  put(root, `${cache}\\attachments\\index.dat`, Buffer.alloc(512, 0x20));
  expected[name] = s.expected;
}
writeFileSync(path.join(examples, "expected.json"), `${JSON.stringify(expected, null, 2)}\n`);
console.log(`built ${Object.keys(SCENARIOS).length} images in ${examples}`);
