// Public surface of the privacy math (RDP accounting, calibration, CSPRNG Gaussian and Skellam noise).
export * from './rdp.js';
export * from './calibrate.js';
export * from './gaussian-noise.js';
export * from './skellam-rdp.js';
export * from './skellam-noise.js';
