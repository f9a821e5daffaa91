import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where no configured host may lead by default: link-local networks (the cloud
 * metadata services that hand out credentials live there, such as
 * 169.254.169.254) and "this network". Loopback and private networks stay
 * reachable: mail and directory servers often live there.
 */
export const DEFAULT_BLOCKED_NETWORKS: readonly string[] = [
  '169.254.0.0/16',
  '0.0.0.0/8',
  '100.100.100.200/32',
  'fe80::/10',
  'fd00:ec2::254/128',
  '::ffff:169.254.0.0/112',
];

/** Why a host may not be contacted: it resolves into a blocked network, or not at all (a later lookup could answer otherwise). */
export interface EgressRefusal {
  reason: 'blocked' | 'unresolvable';
  message: string;
}

/**
 * Server-side request forgery guard for every connection made from admin
 * settings (mail servers, directories, token endpoints): each address a host
 * name resolves to must be outside the blocked networks.
 */
export class EgressPolicy {
  private readonly blocked = new BlockList();

  /** Throws on a network that is not `address/prefix`. */
  constructor(networks: readonly string[]) {
    for (const network of networks) {
      const [address, prefix, extra] = network.trim().split('/');
      const family = isIP(address);
      const bits = prefix === undefined ? (family === 6 ? 128 : 32) : Number(prefix);
      if (!family || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > (family === 6 ? 128 : 32)) {
        throw new Error(`"${network}" is not a network such as 169.254.0.0/16 or fe80::/10.`);
      }
      this.blocked.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
    }
  }

  /**
   * Why `host` may not be contacted, or null. A name that does not resolve is
   * refused too: the connection's own lookup could otherwise get another answer.
   */
  async refusal(host: string): Promise<EgressRefusal | null> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    let addresses: { address: string; family: number }[];
    if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
    else {
      try {
        addresses = await lookup(bare, { all: true, verbatim: true });
      } catch {
        return { reason: 'unresolvable', message: `The name ${host} could not be resolved.` };
      }
    }
    const hit = addresses.find((a) => this.blocked.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'));
    if (!hit) return null;
    const where = hit.address === bare ? host : `${host} (${hit.address})`;
    return { reason: 'blocked', message: `${where} is in a network this server never connects to (link-local or cloud metadata addresses).` };
  }
}
