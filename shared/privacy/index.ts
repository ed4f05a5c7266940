// Public surface of the privacy math (RDP accounting, calibration, CSPRNG Gaussian noise).
export * from './rdp.js';
export * from './calibrate.js';
export * from './gaussian-noise.js';
