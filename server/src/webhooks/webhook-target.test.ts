import { describe, expect, it } from 'vitest';
import { addressRefusal, checkTarget, PUBLIC_ONLY, urlHost, webhookTargetPolicyFromEnv, type AddressLookup } from './webhook-target';

const ON_PREMISE = { allowPrivate: true, allowedNetworks: [] };

describe('webhook target policy', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['100.64.0.1', 'a shared (CGNAT) address'],
    ['169.254.169.254', 'a link-local address (where cloud metadata services live)'],
    ['0.0.0.0', 'an unspecified address'],
    ['224.0.0.1', 'a multicast address'],
    ['255.255.255.255', 'a broadcast address'],
    ['240.0.0.1', 'a reserved address'],
    ['::1', 'a loopback address'],
    ['::', 'an unspecified address'],
    ['fd00:ec2::254', 'a unique-local address'],
    ['fe80::1', 'a link-local address (where cloud metadata services live)'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:a9fe:a9fe', 'a link-local address (where cloud metadata services live)'],
    ['64:ff9b::10.0.0.1', 'a private address'],
    ['::10.0.0.1', 'a reserved address'],
    ['::a00:1', 'a reserved address'],
    ['2001:db8::1', 'a reserved address'],
  ])('refuses %s by default as %s', (address, reason) => {
    expect(addressRefusal(address, PUBLIC_ONLY)).toBe(reason);
  });

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::8.8.8.8'])(
    'accepts the public address %s',
    (address) => {
      expect(addressRefusal(address, PUBLIC_ONLY)).toBeNull();
    },
  );

  it('lets an on-premise setting open loopback, private, CGNAT and unique-local, but not metadata, multicast or unspecified', () => {
    for (const address of ['127.0.0.1', '10.0.0.5', '100.64.1.1', 'fd12::1', '::1', '::ffff:192.168.0.1'])
      expect(addressRefusal(address, ON_PREMISE)).toBeNull();
    for (const address of ['169.254.169.254', 'fe80::1', '0.0.0.0', '::', '224.0.0.1'])
      expect(addressRefusal(address, ON_PREMISE)).not.toBeNull();
  });

  it('lets an allowed network open exactly its addresses, mapped IPv6 forms included', () => {
    const policy = { allowPrivate: false, allowedNetworks: ['10.20.0.0/16', 'fd12::/48', '169.254.10.1/32'] };
    expect(addressRefusal('10.20.3.4', policy)).toBeNull();
    expect(addressRefusal('::ffff:10.20.3.4', policy)).toBeNull();
    expect(addressRefusal('fd12:0:0:1::5', policy)).toBeNull();
    expect(addressRefusal('169.254.10.1', policy)).toBeNull();
    expect(addressRefusal('10.21.0.1', policy)).toBe('a private address');
    expect(addressRefusal('fd13::1', policy)).toBe('a unique-local address');
    expect(addressRefusal('169.254.169.254', policy)).not.toBeNull();
  });

  it('judges odd IPv4 notations by the address the URL parser makes of them', () => {
    for (const url of ['http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://127.1/', 'http://0x7f.0.0.1/']) {
      expect(urlHost(new URL(url)).literal, url).toBe('127.0.0.1');
    }
    expect(urlHost(new URL('http://[::ffff:169.254.169.254]/')).literal).toBe('::ffff:a9fe:a9fe');
    expect(urlHost(new URL('http://hooks.example.com:8443/x')).literal).toBeNull();
  });

  it('refuses a name when any of its addresses is refused, and connects to a checked one', async () => {
    const lookup: AddressLookup = async (name) =>
      name === 'mixed.test'
        ? [
            { address: '93.184.215.14', family: 4 },
            { address: '10.0.0.1', family: 4 },
          ]
        : [{ address: '2606:4700::1111', family: 6 }];
    expect(await checkTarget(new URL('https://mixed.test/'), PUBLIC_ONLY, lookup, 1000)).toEqual({
      ok: false,
      reason: 'mixed.test resolves to a private address',
      resolved: true,
    });
    expect(await checkTarget(new URL('https://public.test/'), PUBLIC_ONLY, lookup, 1000)).toEqual({
      ok: true,
      address: '2606:4700::1111',
      family: 6,
    });
    const failing: AddressLookup = () => Promise.reject(new Error('ENOTFOUND'));
    expect(await checkTarget(new URL('https://gone.test/'), PUBLIC_ONLY, failing, 1000)).toEqual({
      ok: false,
      reason: 'gone.test does not resolve',
      resolved: false,
    });
  });

  it('reads the environment, refusing a malformed setting by name', () => {
    expect(webhookTargetPolicyFromEnv({})).toEqual(PUBLIC_ONLY);
    expect(webhookTargetPolicyFromEnv({ WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0/8, fd00::/8' })).toEqual({
      allowPrivate: true,
      allowedNetworks: ['10.0.0.0/8', 'fd00::/8'],
    });
    expect(() => webhookTargetPolicyFromEnv({ WEBHOOK_ALLOW_PRIVATE: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE/);
    expect(() => webhookTargetPolicyFromEnv({ WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0' })).toThrow(/WEBHOOK_ALLOWED_NETWORKS: "10.0.0.0"/);
  });
});
