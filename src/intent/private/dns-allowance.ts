import { labelSelector, NamespaceScopeModel, PeerModel, PortModel } from '../../model';
import { InputProblem } from '../../validation/input-error';
import { checkLabels, checkPortNumber } from '../../validation/validators';
import { Peer } from '../peer';
import { Port } from '../port';

/** Where the cluster DNS runs: the DNS knobs AllowDns and ClusterAllowDns share (see AllowDnsProps). */
export interface DnsServerOptions {
  readonly dnsNamespaceLabels?: { [key: string]: string };
  readonly dnsPodLabels?: { [key: string]: string };
  readonly dnsPort?: number;
  readonly nodeLocalDns?: boolean;
  readonly nodeLocalDnsAddress?: string;
}

/**
 * The peers and ports of a DNS allowance: UDP and TCP to the DNS pods (one
 * namespace AND pod peer), plus the NodeLocal DNSCache address when asked for.
 * Invalid options are added to `problems`.
 */
export function dnsAllowance(props: DnsServerOptions, problems: InputProblem[]): { peers: PeerModel[]; ports: PortModel[] } {
  const nsLabels = props.dnsNamespaceLabels ?? { 'kubernetes.io/metadata.name': 'kube-system' };
  const podLabels = props.dnsPodLabels ?? { 'k8s-app': 'kube-dns' };
  problems.push(...checkLabels('dnsNamespaceLabels', nsLabels), ...checkLabels('dnsPodLabels', podLabels));
  if (Object.keys(nsLabels).length === 0) {
    problems.push({ what: 'dnsNamespaceLabels', value: nsLabels, expected: 'at least one label of the DNS namespace', fix: 'leave it out to use kube-system' });
  }
  if (Object.keys(podLabels).length === 0) {
    problems.push({ what: 'dnsPodLabels', value: podLabels, expected: 'at least one label of the DNS pods', fix: 'leave it out to use k8s-app=kube-dns' });
  }
  const port = props.dnsPort ?? 53;
  problems.push(...checkPortNumber('dnsPort', port));
  let nodeLocal: Peer | undefined;
  if (props.nodeLocalDns !== undefined && typeof props.nodeLocalDns !== 'boolean') {
    problems.push({ what: 'nodeLocalDns', value: props.nodeLocalDns, expected: 'true or false', fix: 'write nodeLocalDns: true, or leave it out' });
  } else if (props.nodeLocalDns) {
    const addr: unknown = props.nodeLocalDnsAddress ?? '169.254.20.10';
    if (typeof addr !== 'string') {
      problems.push({ what: 'nodeLocalDnsAddress', value: addr, expected: 'an IP address such as "169.254.20.10"', fix: 'pass the address as a string, or leave it out for 169.254.20.10' });
      return { peers: [], ports: [] };
    }
    nodeLocal = Peer.cidr(addr.includes('/') ? addr : `${addr}/${addr.includes(':') ? 128 : 32}`);
    problems.push(...nodeLocal._problems);
  } else if (props.nodeLocalDnsAddress !== undefined) {
    problems.push({ what: 'nodeLocalDnsAddress', value: props.nodeLocalDnsAddress, expected: 'nodeLocalDns: true alongside it', fix: 'set nodeLocalDns: true, or drop nodeLocalDnsAddress' });
  }

  const nsKeys = Object.keys(nsLabels);
  const namespaces: NamespaceScopeModel = nsKeys.length === 1 && nsKeys[0] === 'kubernetes.io/metadata.name'
    ? { kind: 'name', name: nsLabels[nsKeys[0]] }
    : { kind: 'labels', selector: labelSelector(nsLabels) };
  const peers: PeerModel[] = [{ kind: 'pods', namespaces, pods: labelSelector(podLabels) }];
  if (nodeLocal && nodeLocal._problems.length === 0) {
    const cidr = nodeLocal._resolve('');
    if (cidr.kind === 'cidr') peers.push({ kind: 'node-local-dns', cidr: cidr.cidr });
  }
  return { peers, ports: [Port.udp(port)._model, Port.tcp(port)._model] };
}
