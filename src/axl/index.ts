/** AXL (Cisco IM&P / Unified CM SOAP API): the axl-verify check and the emulator used by tests and the demo. */
export { axlVerify, DEFAULT_AXL_VERSION, DEFAULT_TIMEOUT_MS, type AxlData, type AxlVerifyOptions } from './verify.js';
export { startAxlEmulator, makeSelfSignedCert, TAC_ROW, AXL_SCENARIOS, type AxlEmulator, type AxlEmulatorOptions, type AxlScenario } from './emulator.js';
export { cpIdFromFqdn } from './cpid.js';
