import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupOptions } from 'node:dns';
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

/** Resolves a host name to every address it has (the system resolver by default; tests inject their own). */
export type HostResolver = (hostname: string) => Promise<readonly { address: string; family: number }[]>;

const systemResolver: HostResolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/** Why a host may not be contacted: it resolves into a blocked network, or not at all (a later lookup could answer otherwise). */
export interface EgressRefusal {
  reason: 'blocked' | 'unresolvable';
  message: string;
}

/** A `lookup` option for `net.connect`, `tls.connect`, `http.request` and the libraries that pass it on. */
export type ConnectLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/** Raised inside a connection attempt whose name resolved into a blocked network; its `code` is EGRESS_BLOCKED. */
export class EgressBlockedError extends Error {
  readonly code = 'EGRESS_BLOCKED';
  constructor(message: string) {
    super(message);
    this.name = 'EgressBlockedError';
  }
}

/**
 * Server-side request forgery guard for every connection made from admin
 * settings (mail servers, directories, token endpoints). `refusal` is the
 * pre-flight that explains a refusal in words; `lookup` is the same rule at
 * connect time, so a name that answers differently on the second lookup (DNS
 * rebinding) still cannot reach a blocked network.
 */
export class EgressPolicy {
  private readonly blocked = new BlockList();

  /** Throws on a network that is not `address/prefix`. */
  constructor(
    networks: readonly string[],
    private readonly resolver: HostResolver = systemResolver,
  ) {
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
    const resolved = await this.resolve(host);
    return 'reason' in resolved ? resolved : null;
  }

  /**
   * Node's `lookup` contract, through the policy: every address the name has is
   * checked, and the connection fails with EGRESS_BLOCKED before any byte is
   * sent when one of them is in a blocked network.
   */
  readonly lookup: ConnectLookup = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (resolved) => {
        if ('reason' in resolved) {
          const error: NodeJS.ErrnoException =
            resolved.reason === 'blocked' ? new EgressBlockedError(resolved.message) : Object.assign(new Error(resolved.message), { code: 'ENOTFOUND' });
          return callback(error, options.all ? [] : '', 0);
        }
        const wanted = options.family === 4 || options.family === 6 ? resolved.addresses.filter((a) => a.family === options.family) : resolved.addresses;
        if (!wanted.length) return callback(Object.assign(new Error(`${hostname} has no IPv${options.family} address.`), { code: 'ENOTFOUND' }), options.all ? [] : '', 0);
        if (options.all) return callback(null, wanted.map((a) => ({ address: a.address, family: a.family })));
        return callback(null, wanted[0].address, wanted[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : '', 0),
    );
  };

  private async resolve(host: string): Promise<EgressRefusal | { addresses: readonly { address: string; family: number }[] }> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    let addresses: readonly { address: string; family: number }[];
    if (isIP(bare)) addresses = [{ address: bare, family: isIP(bare) }];
    else {
      try {
        addresses = await this.resolver(bare);
      } catch {
        return { reason: 'unresolvable', message: `The name ${host} could not be resolved.` };
      }
      if (!addresses.length) return { reason: 'unresolvable', message: `The name ${host} could not be resolved.` };
    }
    const hit = addresses.find((a) => this.blocked.check(a.address, a.family === 6 ? 'ipv6' : 'ipv4'));
    if (!hit) return { addresses };
    const where = hit.address === bare ? host : `${host} (${hit.address})`;
    return { reason: 'blocked', message: `${where} is in a network this server never connects to (link-local or cloud metadata addresses).` };
  }
}
