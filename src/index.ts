// The reviewed public surface of cdk8s-zero-trust.
export { Protocol } from './intent/protocol';
export { Port } from './intent/port';
export { LabelExpression } from './intent/label-expression';
export { Workload, WorkloadOptions } from './intent/workload';
export { Peer, PodsPeerOptions } from './intent/peer';
export { PolicyDirection } from './intent/policy-direction';
export { DefaultDeny, DefaultDenyProps } from './intent/default-deny';
export { AllowDns, AllowDnsProps } from './intent/allow-dns';
export { AllowFrom, AllowFromProps } from './intent/allow-from';
export { EgressToCidr, EgressToCidrProps } from './intent/egress-to-cidr';
export { Engine, KubernetesEngineOptions } from './engine/engine';
export { HttpRule } from './intent/http-rule';
export { PolicyStage } from './intent/policy-stage';
