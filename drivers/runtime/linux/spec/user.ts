// Resolves Docker's --user forms ("", name, uid, uid:gid, name:group) against the image's
// /etc/passwd and /etc/group contents. Pure: the caller reads the files.
import { badRequest } from '../../../../kernel/contracts/common.ts';

export interface PasswdEntry { name: string; uid: number; gid: number; home: string }
export interface GroupEntry { name: string; gid: number; members: string[] }
export interface ResolvedUser { uid: number; gid: number; additionalGids: number[]; home: string }

export function parsePasswd(text: string): PasswdEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'))
    .filter((f) => f.length >= 4 && /^\d+$/.test(f[2]) && /^\d+$/.test(f[3]))
    .map((f) => ({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] || '/' }));
}

export function parseGroup(text: string): GroupEntry[] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && /^\d+$/.test(f[2]))
    .map((f) => ({ name: f[0], gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

const isNumeric = (s: string) => /^\d+$/.test(s);

/** Same rules and messages as Docker (moby/sys/user GetExecUser). */
export function resolveUser(spec: string, passwd: PasswdEntry[], groups: GroupEntry[]): ResolvedUser {
  const [userPart, groupPart] = spec === '' ? ['0', undefined] : spec.split(':', 2) as [string, string | undefined];
  let entry: PasswdEntry | undefined;
  let uid: number;
  let gid = 0;
  let home = '/';
  if (isNumeric(userPart)) {
    uid = Number(userPart);
    entry = passwd.find((p) => p.uid === uid);
  } else {
    entry = passwd.find((p) => p.name === userPart);
    if (!entry) throw badRequest(`unable to find user ${userPart}: no matching entries in passwd file`);
    uid = entry.uid;
  }
  if (entry) { gid = entry.gid; home = entry.home; }
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((x) => x.name === groupPart);
      if (!g) throw badRequest(`unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  }
  // supplementary groups only when the user was named in passwd and no group was forced
  const additionalGids = entry && groupPart === undefined
    ? groups.filter((g) => g.members.includes(entry!.name) && g.gid !== gid).map((g) => g.gid)
    : [];
  return { uid, gid, additionalGids, home };
}

/** --group-add: gids as given, group names looked up in the image's /etc/group (moby/sys/user GetAdditionalGroups). */
export function resolveGroupAdd(names: string[], groups: GroupEntry[]): number[] {
  return names.map((g) => {
    if (isNumeric(g)) return Number(g);
    const entry = groups.find((x) => x.name === g);
    if (!entry) throw badRequest(`Unable to find group ${g}: no matching entries in group file`);
    return entry.gid;
  });
}
