/**
 * The default self-relative SECURITY_DESCRIPTOR the hive writer stores in its one shared `sk`
 * cell: owner BUILTIN\Administrators, group NT AUTHORITY\SYSTEM, and a DACL granting
 * KEY_ALL_ACCESS to Administrators and SYSTEM and KEY_READ to Everyone, all inherited by subkeys.
 *
 * Source: Microsoft SECURITY_DESCRIPTOR / ACL / ACCESS_ALLOWED_ACE layouts (winnt.h),
 * well-known SIDs S-1-5-32-544, S-1-5-18, S-1-1-0.
 */

/** Binary SID with identifier authority `authority` and the given sub-authorities. */
function sid(authority: number, subAuthorities: readonly number[]): Uint8Array {
  const out = new Uint8Array(8 + 4 * subAuthorities.length);
  const v = new DataView(out.buffer);
  out[0] = 1;
  out[1] = subAuthorities.length;
  out[7] = authority; // 6-byte big-endian authority; all well-known ones fit in the last byte
  subAuthorities.forEach((s, i) => v.setUint32(8 + 4 * i, s, true));
  return out;
}

const KEY_ALL_ACCESS = 0x000f003f;
const KEY_READ = 0x00020019;
const CONTAINER_INHERIT_ACE = 0x02;
const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;

/** ACCESS_ALLOWED_ACE for `subject` with access `mask`. */
function allowAce(mask: number, subject: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + subject.length);
  const v = new DataView(out.buffer);
  out[0] = 0; // ACCESS_ALLOWED_ACE_TYPE
  out[1] = CONTAINER_INHERIT_ACE;
  v.setUint16(2, out.length, true);
  v.setUint32(4, mask, true);
  out.set(subject, 8);
  return out;
}

/** A new copy of the default security descriptor (self-relative, 4-byte aligned parts). */
export function defaultSecurityDescriptor(): Uint8Array {
  const admins = sid(5, [32, 544]);
  const system = sid(5, [18]);
  const everyone = sid(1, [0]);
  const aces = [
    allowAce(KEY_ALL_ACCESS, admins),
    allowAce(KEY_ALL_ACCESS, system),
    allowAce(KEY_READ, everyone),
  ];
  const aclSize = 8 + aces.reduce((n, a) => n + a.length, 0);
  const acl = new Uint8Array(aclSize);
  const av = new DataView(acl.buffer);
  acl[0] = 2; // ACL_REVISION
  av.setUint16(2, aclSize, true);
  av.setUint16(4, aces.length, true);
  let at = 8;
  for (const a of aces) {
    acl.set(a, at);
    at += a.length;
  }
  const header = 20;
  const ownerAt = header;
  const groupAt = ownerAt + admins.length;
  const daclAt = groupAt + system.length;
  const out = new Uint8Array(daclAt + acl.length);
  const v = new DataView(out.buffer);
  out[0] = 1; // SECURITY_DESCRIPTOR_REVISION
  v.setUint16(2, SE_SELF_RELATIVE | SE_DACL_PRESENT, true);
  v.setUint32(4, ownerAt, true);
  v.setUint32(8, groupAt, true);
  v.setUint32(12, 0, true); // no SACL
  v.setUint32(16, daclAt, true);
  out.set(admins, ownerAt);
  out.set(system, groupAt);
  out.set(acl, daclAt);
  return out;
}
