import { formatPicoUsd, picoToUsd, pricePerTokenPico, usdToPico } from './money';

describe('money', () => {
  it('keeps sub-nano amounts exact', () => {
    expect(formatPicoUsd(20_493_750)).toBe('0.00002049375');
    let sum = 0n;
    for (let i = 0; i < 50_000; i++) sum += 20_493_750n;
    expect(formatPicoUsd(sum)).toBe('1.0246875');
  });
  it('converts prices and budgets', () => {
    expect(pricePerTokenPico(0.075)).toBe(75_000);
    expect(usdToPico(0.0045)).toBe(4_500_000_000);
    expect(picoToUsd(4_500_000_000)).toBe(0.0045);
    expect(formatPicoUsd(0)).toBe('0');
    expect(formatPicoUsd(-1_500_000_000_000n)).toBe('-1.5');
  });
});
