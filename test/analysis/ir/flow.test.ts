import { describeFlowEndpoint, ipEndpoint, parseFlowEndpoint, podEndpoint } from '../../../src/analysis';

describe('flow endpoints', () => {
  test.each([
    ['shop/web-0', podEndpoint('shop', 'web-0')],
    ['10.0.0.1', ipEndpoint('10.0.0.1')],
    ['fd00::1', ipEndpoint('fd00::1')],
    ['10.0.0.0/8', ipEndpoint('10.0.0.0/8')],
  ])('reads %s', (text, expected) => {
    expect(parseFlowEndpoint(text)).toEqual(expected);
  });

  test('describes pods and addresses for messages', () => {
    expect(describeFlowEndpoint(podEndpoint('shop', 'web-0'))).toBe('pod shop/web-0');
    expect(describeFlowEndpoint(ipEndpoint('203.0.113.1'))).toBe('203.0.113.1');
  });
});
