import { Workload } from '../../src';

/** The problems a workload records (what synthesis reports for it). */
function problems(make: () => Workload): string[] {
  return make()._problems.map(p => `${p.what}: expected ${p.expected}`);
}

describe('Workload servicePorts', () => {
  test('kept in the model with targetPort defaulting to port', () => {
    const w = Workload.select({ app: 'api' }, { service: 'api', servicePorts: [{ port: 80, targetPort: 8080 }, { port: 9090 }] });
    expect(w._problems).toEqual([]);
    expect(w._toPodSet('prod').servicePorts).toEqual([{ port: 80, targetPort: 8080 }, { port: 9090, targetPort: 9090 }]);
  });

  test('without servicePorts the model says nothing of them', () => {
    expect(Workload.select({ app: 'api' }, { service: 'api' })._toPodSet('prod').servicePorts).toBeUndefined();
  });

  test.each([
    ['without a service', { servicePorts: [{ port: 80 }] }, 'servicePorts of the workload: expected a service alongside it (the Service these are the ports of)'],
    ['empty', { service: 'api', servicePorts: [] }, 'servicePorts of the workload: expected a list of 1 to 100 Service ports ({ port, targetPort })'],
    ['not a list', { service: 'api', servicePorts: { port: 80 } }, 'servicePorts of the workload: expected a list of 1 to 100 Service ports ({ port, targetPort })'],
    ['a port out of range', { service: 'api', servicePorts: [{ port: 0 }] }, 'port of servicePorts of the workload[0]: expected an integer from 1 to 65535'],
    ['a named targetPort', { service: 'api', servicePorts: [{ port: 80, targetPort: 'http' }] }, 'targetPort of servicePorts of the workload[0]: expected an integer from 1 to 65535'],
    ['a port twice', { service: 'api', servicePorts: [{ port: 80 }, { port: 80, targetPort: 8080 }] }, 'port of servicePorts of the workload[1]: expected each Service port once (Kubernetes rejects a Service that lists a port twice)'],
    ['an unknown key', { service: 'api', servicePorts: [{ port: 80, protocol: 'TCP' }] }, 'prop "protocol" of servicePorts of the workload[0]: expected one of port, targetPort'],
  ])('fails clearly for servicePorts %s', (_name, options, expected) => {
    expect(problems(() => Workload.select({ app: 'api' }, options as any))).toEqual([expected]);
  });

  test('bounded: at most 100 ports', () => {
    const servicePorts = Array.from({ length: 101 }, (_x, i) => ({ port: i + 1 }));
    expect(problems(() => Workload.select({ app: 'api' }, { service: 'api', servicePorts }))).toEqual(['servicePorts of the workload: expected a list of 1 to 100 Service ports ({ port, targetPort })']);
  });
});
