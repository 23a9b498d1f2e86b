/**
 * Well-known, publicly reported relations among S&P 500 members, for the demo market graph. Each has a
 * sentence a person can read and an approximate start (`since`, the year it was widely reported; the
 * graph treats it as the fact's valid_at). Only universe symbols: non-members such as TSMC, ASML or
 * Airbus are left out rather than invented. Competition is stored once and read both ways.
 */
export interface CuratedRelation {
  source: string;
  relation: 'COMPETES_WITH' | 'SUPPLIES' | 'CUSTOMER_OF';
  target: string;
  fact: string;
  since: string;
}

const c = (
  source: string,
  relation: CuratedRelation['relation'],
  target: string,
  since: string,
  fact: string,
): CuratedRelation => ({ source, relation, target, since, fact });

export const CURATED_RELATIONS: readonly CuratedRelation[] = [
  // Semiconductors and the AI build-out
  c(
    'NVDA',
    'COMPETES_WITH',
    'AMD',
    '2006-10-25',
    'Nvidia and AMD compete in GPUs and data-center AI accelerators.',
  ),
  c(
    'AMD',
    'COMPETES_WITH',
    'INTC',
    '2000-01-01',
    'AMD and Intel compete in x86 processors for PCs and servers.',
  ),
  c(
    'AVGO',
    'COMPETES_WITH',
    'MRVL',
    '2018-01-01',
    'Broadcom and Marvell compete in custom AI silicon and data-center networking chips.',
  ),
  c(
    'SNPS',
    'COMPETES_WITH',
    'CDNS',
    '2000-01-01',
    'Synopsys and Cadence compete in electronic design automation software.',
  ),
  c(
    'AMAT',
    'COMPETES_WITH',
    'LRCX',
    '2000-01-01',
    'Applied Materials and Lam Research compete in wafer fabrication equipment.',
  ),
  c(
    'TXN',
    'COMPETES_WITH',
    'ADI',
    '2000-01-01',
    'Texas Instruments and Analog Devices compete in analog chips.',
  ),
  c(
    'MU',
    'SUPPLIES',
    'NVDA',
    '2024-02-26',
    'Micron supplies HBM3E high-bandwidth memory for Nvidia AI GPUs.',
  ),
  c(
    'AAPL',
    'CUSTOMER_OF',
    'AVGO',
    '2023-05-23',
    'Apple buys RF and wireless components from Broadcom under a multi-year agreement.',
  ),
  c(
    'AAPL',
    'CUSTOMER_OF',
    'QCOM',
    '2019-04-16',
    'Apple buys modem chips from Qualcomm under their 2019 supply agreement.',
  ),
  c(
    'GOOGL',
    'CUSTOMER_OF',
    'AVGO',
    '2016-05-18',
    'Alphabet (Google) co-designs its TPU AI chips with Broadcom.',
  ),
  c('MSFT', 'CUSTOMER_OF', 'NVDA', '2019-01-01', 'Microsoft buys Nvidia GPUs for AI workloads in Azure.'),
  c(
    'META',
    'CUSTOMER_OF',
    'NVDA',
    '2022-01-24',
    'Meta buys Nvidia GPUs for its AI research and training clusters.',
  ),
  c('AMZN', 'CUSTOMER_OF', 'NVDA', '2010-11-15', 'Amazon buys Nvidia GPUs for AWS cloud instances.'),
  c('DELL', 'CUSTOMER_OF', 'NVDA', '2023-01-01', 'Dell builds AI servers around Nvidia GPUs.'),
  c('SMCI', 'CUSTOMER_OF', 'NVDA', '2020-01-01', 'Supermicro builds GPU servers around Nvidia accelerators.'),
  c(
    'META',
    'CUSTOMER_OF',
    'ANET',
    '2016-01-01',
    'Meta is one of Arista Networks’ largest data-center switching customers.',
  ),
  c(
    'MSFT',
    'CUSTOMER_OF',
    'ANET',
    '2010-01-01',
    'Microsoft is one of Arista Networks’ largest data-center switching customers.',
  ),
  c(
    'AMAT',
    'SUPPLIES',
    'INTC',
    '2000-01-01',
    'Applied Materials supplies chip-making equipment to Intel fabs.',
  ),
  c(
    'LRCX',
    'SUPPLIES',
    'MU',
    '2000-01-01',
    'Lam Research supplies etch and deposition equipment to Micron memory fabs.',
  ),
  // Software, internet and cloud
  c(
    'MSFT',
    'COMPETES_WITH',
    'GOOGL',
    '2008-04-07',
    'Microsoft and Alphabet compete in cloud (Azure vs Google Cloud), productivity software and search.',
  ),
  c(
    'AMZN',
    'COMPETES_WITH',
    'MSFT',
    '2010-02-01',
    'Amazon (AWS) and Microsoft (Azure) compete in cloud infrastructure.',
  ),
  c(
    'AAPL',
    'COMPETES_WITH',
    'GOOGL',
    '2008-09-23',
    'Apple and Alphabet compete in smartphone platforms (iOS vs Android).',
  ),
  c(
    'CRM',
    'COMPETES_WITH',
    'MSFT',
    '2003-01-01',
    'Salesforce and Microsoft (Dynamics) compete in CRM software.',
  ),
  c(
    'NFLX',
    'CUSTOMER_OF',
    'AMZN',
    '2009-01-01',
    'Netflix runs its streaming service on Amazon Web Services.',
  ),
  c('NFLX', 'COMPETES_WITH', 'DIS', '2019-11-12', 'Netflix and Disney (Disney+) compete in video streaming.'),
  c(
    'ABNB',
    'COMPETES_WITH',
    'BKNG',
    '2008-08-01',
    'Airbnb and Booking Holdings compete in travel accommodation bookings.',
  ),
  c('BKNG', 'COMPETES_WITH', 'EXPE', '2000-01-01', 'Booking Holdings and Expedia compete in online travel.'),
  // Consumer, retail and payments
  c('AMZN', 'COMPETES_WITH', 'WMT', '2000-01-01', 'Amazon and Walmart compete in retail and e-commerce.'),
  c(
    'WMT',
    'COMPETES_WITH',
    'COST',
    '2000-01-01',
    'Walmart (Sam’s Club) and Costco compete in warehouse club retail.',
  ),
  c(
    'WMT',
    'COMPETES_WITH',
    'TGT',
    '2000-01-01',
    'Walmart and Target compete in big-box general merchandise retail.',
  ),
  c('HD', 'COMPETES_WITH', 'LOW', '2000-01-01', 'Home Depot and Lowe’s compete in home-improvement retail.'),
  c('V', 'COMPETES_WITH', 'MA', '2000-01-01', 'Visa and Mastercard compete as card payment networks.'),
  c(
    'KO',
    'COMPETES_WITH',
    'PEP',
    '2000-01-01',
    'Coca-Cola and PepsiCo compete in soft drinks and beverages.',
  ),
  c(
    'PG',
    'COMPETES_WITH',
    'KMB',
    '2000-01-01',
    'Procter & Gamble and Kimberly-Clark compete in diapers, tissues and paper products.',
  ),
  c(
    'MCD',
    'COMPETES_WITH',
    'YUM',
    '2000-01-01',
    'McDonald’s and Yum! Brands compete in quick-service restaurants.',
  ),
  c('MAR', 'COMPETES_WITH', 'HLT', '2000-01-01', 'Marriott and Hilton compete in hotels.'),
  // Energy, industrials, transport
  c(
    'XOM',
    'COMPETES_WITH',
    'CVX',
    '2000-01-01',
    'ExxonMobil and Chevron compete as integrated oil and gas majors.',
  ),
  c(
    'GE',
    'SUPPLIES',
    'BA',
    '2000-01-01',
    'GE Aerospace supplies jet engines for Boeing airliners (CFM LEAP for the 737 MAX, GE9X for the 777X).',
  ),
  c(
    'RTX',
    'SUPPLIES',
    'BA',
    '2000-01-01',
    'RTX (Pratt & Whitney, Collins Aerospace) supplies engines and systems for Boeing aircraft.',
  ),
  c(
    'LMT',
    'COMPETES_WITH',
    'NOC',
    '2000-01-01',
    'Lockheed Martin and Northrop Grumman compete for defense contracts.',
  ),
  c('UPS', 'COMPETES_WITH', 'FDX', '2000-01-01', 'UPS and FedEx compete in parcel delivery.'),
  c('DAL', 'COMPETES_WITH', 'UAL', '2000-01-01', 'Delta and United compete as US network airlines.'),
  c('TSLA', 'COMPETES_WITH', 'GM', '2012-06-22', 'Tesla and General Motors compete in electric vehicles.'),
  c('F', 'COMPETES_WITH', 'GM', '2000-01-01', 'Ford and General Motors compete in US cars and trucks.'),
  // Financials, telecom, health
  c(
    'JPM',
    'COMPETES_WITH',
    'BAC',
    '2000-01-01',
    'JPMorgan Chase and Bank of America compete as US universal banks.',
  ),
  c(
    'GS',
    'COMPETES_WITH',
    'MS',
    '2000-01-01',
    'Goldman Sachs and Morgan Stanley compete in investment banking and trading.',
  ),
  c('SPGI', 'COMPETES_WITH', 'MCO', '2000-01-01', 'S&P Global and Moody’s compete in credit ratings.'),
  c(
    'ICE',
    'COMPETES_WITH',
    'CME',
    '2000-01-01',
    'Intercontinental Exchange and CME Group compete in futures exchanges.',
  ),
  c('T', 'COMPETES_WITH', 'VZ', '2000-01-01', 'AT&T and Verizon compete in US wireless and broadband.'),
  c('VZ', 'COMPETES_WITH', 'TMUS', '2000-01-01', 'Verizon and T-Mobile US compete in US wireless.'),
  c(
    'UNH',
    'COMPETES_WITH',
    'CVS',
    '2018-11-28',
    'UnitedHealth and CVS Health (Aetna) compete in health insurance and pharmacy benefits.',
  ),
];
