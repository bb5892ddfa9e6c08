#!/usr/bin/env python3
# Regenerates fixtures/logs/ (log excerpts built from the line shapes in TAC 213865, 117811, 200928,
# 217230, Prosody 0.12 and ejabberd 23.01 sources, with noise) and their .expect files. The binary
# fixtures (.tar.gz, .log.gz) are reproducible (mtime 0). Usage: python3 scripts/gen-log-fixtures.py
import os, json, datetime
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'logs')
os.makedirs(OUT, exist_ok=True)

def ts(base, sec):
    t = base + datetime.timedelta(seconds=sec)
    local = t + datetime.timedelta(hours=1)
    return local.strftime('%Y-%m-%dT%H:%M:%S.') + f'{t.microsecond//1000:03d}+01:00', t.strftime('%Y-%m-%d %H:%M:%S,') + f'{t.microsecond//1000:03d}'

BASE = datetime.datetime(2026, 11, 24, 9, 15, 0)

def exp(host, proc, sec, rest):
    iso, utc = ts(BASE, sec)
    return f'{iso} {host} {proc}: UTCTime="{utc}" {rest}'

def tvcs(host, sec, module, level, rest):
    iso, utc = ts(BASE, sec)
    return f'{iso} {host} tvcs: UTCTime="{utc}" Module="{module}" Level="{level}":  {rest}'

def xcp(host, pid, sec, level, loc, detail, tid='140213377'):
    iso, utc = ts(BASE, sec)
    return f'{iso} {host} XCP_CM2[{pid}]: UTCTime="{utc}" ThreadID="{tid}" Module="XMPPFederation" Level="{level}" CodeLocation="{loc}" Detail="{detail}"'

def noise_c(host, sec):
    return [
        tvcs(host, sec, 'network.dns', 'DEBUG', 'Detail="Sending DNS query" Name="_sip._tcp.coluc.com" Type="SRV (IPv4 and IPv6)"'),
        tvcs(host, sec + 0.2, 'network.sip', 'DEBUG', 'Action="Received" Local-ip="10.48.36.170" Local-port="5061" Src-ip="10.48.36.20" Src-port="25441" Msg-Hash="8127361836124"'),
        'SIP/2.0 200 OK',
        'Via: SIP/2.0/TLS 10.48.36.20:5061;branch=z9hG4bK1234;received=10.48.36.20',
        'Content-Length: 0',
        '',
        exp(host, 'httpd[2233]', sec + 0.5, 'web: Event="Login Successful" Src-ip="10.48.36.5" User="admin" Method="web" Level="1"'),
        tvcs(host, sec + 0.7, 'developer.clusterdb.restapi', 'DEBUG', 'Detail="GET /api/internal/xcp/configuration" Status="200" Reason="OK"'),
    ]

def noise_e(host, sec):
    return [
        xcp(host, 12122, sec, 'VBOSE', 'stanza.component.in', "xcoder=05E295A2B received:: <presence from='alice@coluc.com/jabber_1' to='bob@vngtp.lab'/>"),
        tvcs(host, sec + 0.3, 'network.dns', 'DEBUG', 'Detail="Sending DNS query" Name="_xmpp-server._tcp.vngtp.lab" Type="SRV (IPv4 and IPv6)"'),
        exp(host, 'httpd[2233]', sec + 0.4, 'web: Event="Login Successful" Src-ip="10.48.36.5" User="admin" Method="web" Level="1"'),
        xcp(host, 12122, sec + 0.6, 'DEBUG', 'stream.in', "(5d1e0c2a-7b1f-4c59-9a55-3c6fd1c1a0b2, coluc.com:vngtp.lab, IN) xcoder=05E295A2B read 412 bytes"),
    ]

def dialback_ok(host, sec, frm='coluc.com', to='vngtp.lab'):
    return [
        xcp(host, 12122, sec, 'INFO ', 'stanza.component.out', f"xcoder=34A9B60C8 sending:: <db:result from='{frm}' to='{to}'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:result>"),
        xcp(host, 12122, sec + 0.01, 'DEBUG', 'stream.out', f"(00000000-0000-0000-0000-000000000000, {frm}:{to}, OUT) xcoder=34A9B60C8 Scheduling dialback timeout in 30 secs."),
        xcp(host, 12122, sec + 0.4, 'INFO ', 'ConnInfoHistory', f"Connection state change: PENDING->CONNECTED: (00000000-0000-0000-0000-000000000000, {frm}:{to}, OUT) xcoder=34A9B60C8"),
    ]

def receiving_ok(host, sec, frm='coluc.com', to='vngtp.lab'):
    cid = 'e5b18d01-fe24-4290-bba1-a57788a76468'
    iso, utc = ts(BASE, sec)
    return [
        xcp(host, 22992, sec, 'VBOSE', 'stanza.component.in', 'xcoder=05E295A2B received::'),
        f"<db:result from='{frm}' to='{to}'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:result>\"",
        xcp(host, 22992, sec + 0.01, 'INFO ', 'Resolver.cpp:128', f"Starting resolver lookup for '{frm}:puny={frm}:service=_xmpp-server._tcp:defport=0'"),
        xcp(host, 22992, sec + 0.02, 'INFO ', 'debug', f"({cid}, {to}:{frm}, IN) resolved dialback address for host={frm} method=SRV dns-timings=(TOTAL:0.003157 SRV:0.002885)"),
        xcp(host, 22992, sec + 0.03, 'INFO ', 'DBVerify.cpp:270', f"({cid}, {to}:{frm}, IN)"),
        f"DBVerify Stream is Open. Sending db:verify packet: <db:verify from='{to}' id='05E295A2B' to='{frm}'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:verify>\"",
        xcp(host, 22992, sec + 0.2, 'INFO ', 'DBVerify.cpp:282', f"({cid}, {to}:{frm}, IN)"),
        f"DBVerify Packet Received <db:verify from='{frm}' id='05E295A2B' to='{to}' type='valid'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:verify>\"",
    ]

def authoritative_ok(host, sec):
    return [
        xcp(host, 5164, sec, 'INFO ', 'debug', "xcoder=94A9B60C8 onStreamOpen:: <stream:stream from='vngtp.lab' id='1327B794B' to='coluc.com' version='1.0' xml:lang='en-US.UTF-8' xmlns='jabber:server' xmlns:db='jabber:server:dialback' xmlns:stream='http://etherx.jabber.org/streams'/>"),
        xcp(host, 5164, sec + 0.01, 'VBOSE', 'stanza.component.in', "xcoder=94A9B60C8 received:: <db:verify from='vngtp.lab' id='05E295A2B' to='coluc.com'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:verify>"),
        xcp(host, 5164, sec + 0.05, 'INFO ', 'stream.in', 'xcoder=94A9B60C8 closing stream used for dialback only'),
    ]

files = {}
def put(name, lines, expect, comment=None):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f: f.write('\n'.join(lines) + '\n')
    if expect is not None:
        base = name.split('/')[0]
        stem = base.rsplit('.', 1)[0] if '.' in base and '/' not in name else base
        with open(os.path.join(OUT, stem + '.expect'), 'w') as f:
            if comment: f.write(f'# {comment}\n')
            f.write('\n'.join(expect) + '\n')

C, E = 'expc01', 'expe01'
axl_send = lambda sec: tvcs(C, sec, 'network.axl', 'INFO', 'Action="Send" URL="https://cups.ciscotac.net:8443/axl/" Function="executeSQLQuery"')
axl_resp = lambda sec, st, reason: tvcs(C, sec, 'network.axl', 'INFO', f'Action="Received" URL="https://cups.ciscotac.net:8443/axl/" Function="executeSQLQuery" Status="{st}" Reason="{reason}"')

# 1. AXL 401 on Expressway-C.
put('expc-axl-401.log', noise_c(C, 0) + [axl_send(5), axl_resp(5.2, 401, 'None')] + noise_c(C, 10) + [axl_send(40), axl_resp(40.1, 401, 'None')] + noise_c(C, 50),
    ['diagnose.axl.http-401 @ 10'], 'Expressway-C: the AXL write to IM&P fails with 401 twice (TAC 213865).')
# 2. AXL fine.
put('expc-axl-ok.log', noise_c(C, 0) + [axl_send(5), axl_resp(5.2, 200, 'OK')] + noise_c(C, 10), ['diagnose.no-match'], 'Expressway-C: the AXL write succeeds.')
# 3. 401 fixed, router not restarted.
rtr = lambda sec, lvl, msg: (BASE + datetime.timedelta(seconds=sec)).strftime('%Y-%m-%d %H:%M:%S,') + f'{int(sec*1000)%1000:03d} {lvl:<5} [router] {msg}'
put('bundle-router-restart-needed/expc/loggingsnapshot_expc01_20261124.txt', noise_c(C, 0) + [axl_send(5), axl_resp(5.2, 401, 'None')] + noise_c(C, 100) + [axl_send(600), axl_resp(600.3, 200, 'OK')] + noise_c(C, 700), None)
put('bundle-router-restart-needed/imp/epas/trace/xcp/log/rtr-jsm-1.log', [rtr(10, 'INFO', 'Component s2s-cm connected'), rtr(650, 'INFO', 'Routing table updated (3 routes)')], None)
open(os.path.join(OUT, 'bundle-router-restart-needed.expect'), 'w').write('# 401 fixed on Expressway-C at +600 s; the IM&P XCP Router was not restarted afterwards.\ndiagnose.axl.http-401\ndiagnose.xcp.router-restart-needed\n')
# 4. Same, restarted.
put('bundle-router-restarted/expc/loggingsnapshot_expc01_20261124.txt', noise_c(C, 0) + [axl_send(5), axl_resp(5.2, 401, 'None')] + noise_c(C, 100) + [axl_send(600), axl_resp(600.3, 200, 'OK')] + noise_c(C, 700), None)
put('bundle-router-restarted/imp/epas/trace/xcp/log/rtr-jsm-1.log', [rtr(10, 'INFO', 'Component s2s-cm connected'), rtr(900, 'INFO', 'Cisco XCP Router started'), rtr(905, 'INFO', 'Component s2s-cm connected')], None)
open(os.path.join(OUT, 'bundle-router-restarted.expect'), 'w').write('# 401 fixed, then the XCP Router restarted: only the (historic) 401 remains.\ndiagnose.axl.http-401\n')
# 5. Bouncing after restart -> cluster restart.
put('imp-bouncing-after-restart/epas/trace/xcp/log/rtr-jsm-1.log', [rtr(0, 'INFO', 'Cisco XCP Router started')] + [rtr(60 + i * 45, 'WARN', f"Bouncing packet from=alice@vngtp.lab to=bob@coluc.com: no route to host") for i in range(5)], None)
open(os.path.join(OUT, 'imp-bouncing-after-restart.expect'), 'w').write('# Inferred line shapes: the router keeps bouncing after its restart.\ndiagnose.imp.cluster-restart-needed\n')
# 6. Bouncing, no restart.
put('imp-rtr-jsm-1-bouncing.log', [rtr(0, 'INFO', 'Component s2s-cm connected')] + [rtr(60 + i * 45, 'WARN', "Bouncing packet from=alice@vngtp.lab to=bob@coluc.com: no route to host") for i in range(3)],
    ['diagnose.xcp.router-restart-needed'], 'Inferred line shapes: IM&P XCP Router bouncing, never restarted.')
# 7. Dialback success on all three roles.
put('expe-dialback-ok.log', noise_e(E, 0) + dialback_ok(E, 2) + noise_e(E, 3) + receiving_ok(E, 5) + noise_e(E, 6) + authoritative_ok(E, 8) + noise_e(E, 60),
    ['diagnose.no-match'], 'Expressway-E: the documented dialback success on the initiating, receiving and authoritative server (TAC 213865).')
# 8. Dialback invalid.
inv = receiving_ok(E, 5)
inv[-1] = inv[-1].replace("type='valid'", "type='invalid'")
put('expe-dialback-invalid.log', noise_e(E, 0) + inv + noise_e(E, 60), ['diagnose.dialback.invalid @ 12'], 'Expressway-E as receiving server: the authoritative server answers type=invalid.')
# 9. Dialback timeout.
dt = dialback_ok(E, 2, 'coluc.com', 'partner.example')[:2]
put('expe-dialback-timeout.log', noise_e(E, 0) + dt + noise_e(E, 10) + dialback_ok(E, 20) + noise_e(E, 40) + noise_e(E, 90),
    ['diagnose.dialback.timeout @ 6'], 'Expressway-E: dialback to partner.example never reaches CONNECTED; vngtp.lab does.')
# 10. Resolver lookup without result.
rf = [xcp(E, 22992, 5, 'INFO ', 'Resolver.cpp:128', "Starting resolver lookup for 'unknown-partner.example:puny=unknown-partner.example:service=_xmpp-server._tcp:defport=0'")]
put('expe-resolver-fail.log', noise_e(E, 0) + rf + noise_e(E, 10) + receiving_ok(E, 20) + noise_e(E, 50),
    ['diagnose.dns.peer-unresolvable'], 'Expressway-E: the lookup of unknown-partner.example never resolves; coluc.com does.')
# 11. Federation disabled / enabled.
put('expe-federation-disabled.log', noise_e(E, 0) + [tvcs(E, 3, 'developer.clusterdb.restapi', 'INFO', 'Detail="xconfiguration xcpConfiguration is_federation_enabled - changed from: 1 to: 0"')] + noise_e(E, 10),
    ['diagnose.federation.disabled'], 'Expressway-E: XMPP federation switched off.')
put('expe-federation-reenabled.log', noise_e(E, 0) + [tvcs(E, 3, 'developer.clusterdb.restapi', 'INFO', 'Detail="xconfiguration xcpConfiguration is_federation_enabled - changed from: 1 to: 0"'), tvcs(E, 30, 'developer.clusterdb.restapi', 'INFO', 'Detail="xconfiguration xcpConfiguration is_federation_enabled - changed from: 0 to: 1"')] + noise_e(E, 40),
    ['diagnose.no-match'], 'Expressway-E: federation off, then on again.')
# 12. TLS.
tls = [
    exp(E, 'tvcs', 4, 'Event="Outbound TLS Negotiation Error" Service="XMPP" Src-ip="10.48.36.171" Src-port="27401" Dst-ip="203.0.113.25" Dst-port="5269" Detail="tlsv1 alert protocol version" Protocol="TCP" Level="1"'),
    exp(E, 'tvcs', 9, 'Event="Inbound TLS Negotiation Error" Service="SIP" Src-ip="10.48.36.170" Src-port="25002" Dst-ip="10.48.36.171" Dst-port="7001" Detail="Peer\'s TLS certificate identity was unacceptable" Protocol="TLS" Common-name="expc01.coluc.com" Level="1"'),
]
put('expe-tls-errors.log', noise_e(E, 0) + tls + noise_e(E, 20), ['diagnose.tls.negotiation-failed', 'diagnose.tls.cert-identity'], 'Expressway-E: an outbound TLS failure on 5269 and a traversal certificate identity error (TAC 117811).')
# 13. Stream errors.
se = lambda sec, cond, pair: xcp(E, 12122, sec, 'INFO ', 'stream.in', f"({'7c1d2e3f-0000-4000-8000-00000000000' + str(int(sec)%10)}, {pair}, OUT) xcoder=44B1 received:: <stream:error><{cond} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>")
put('expe-stream-errors.log', noise_e(E, 0) + [se(3, 'host-unknown', 'coluc.com:wrong.example'), se(5, 'not-authorized', 'coluc.com:strict.example'), se(7, 'policy-violation', 'coluc.com:closed.example'), se(9, 'remote-connection-failed', 'coluc.com:far.example')] + noise_e(E, 20),
    ['diagnose.stream.host-unknown', 'diagnose.stream.not-authorized', 'diagnose.stream.policy-violation', 'diagnose.stream.remote-connection-failed'], 'Expressway-E: four RFC 6120 stream errors from four peers.')
# 14. Privacy.
put('expe-privacy-blocked.log', noise_e(E, 0) + [xcp(E, 12122, 4, 'INFO ', 'Privacy.cpp:88', "(9a1b0000-1111-4222-8333-444455556666, coluc.com:partner.example, IN) Connection from partner.example denied by privacy policy (allow list)")] + noise_e(E, 20),
    ['diagnose.privacy.blocked'], 'Expressway-E: inferred line shape for a domain refused by the privacy allow list.')
# 15. Cluster alarm + port 7400.
alarm = lambda sec, ev: ts(BASE, sec)[0] + f' {C} alarm: Level="WARN" Event="{ev}" Id="20004" UUID="3bca6888-f622-11df-93be-07cc953d7b99" Severity="warning" Detail="Cluster communication failure: The system is unable to communicate with one or more of the cluster peers" UTCTime="{ts(BASE, sec)[1]}"'
j = lambda sec: f'{C} XCP_JABBERD[23843]: UTCTime="{ts(BASE, sec)[1]}" ThreadID="139747212576512" Module="Jabber" Level="ERROR" CodeLocation="mio.c:1121" Detail=" Unable to connect to host \'10.48.36.171\', port 7400 :(111) Connection refused"'
put('expc-cluster-and-traversal.log', noise_c(C, 0) + [alarm(3, 'Alarm Raised'), j(5)] + noise_c(C, 10) + [j(35)] + noise_c(C, 40),
    ['diagnose.cluster.communication-failure', 'diagnose.traversal.port-7400-refused'], 'Expressway-C: cluster alarm 20004 (TAC 217230) and XCP_JABBERD 7400 refused (TAC 117811).')
put('expc-alarm-lowered-only.log', noise_c(C, 0) + [alarm(3, 'Alarm Lowered')] + noise_c(C, 10), ['diagnose.no-match'], 'Expressway-C: only an "Alarm Lowered" event.')
# 16. xmpps2snodes.
put('imp-xmpps2snodes-empty.txt', ['admin:run sql select * from xmpps2snodes', 'pkid                                 cp_id', '==================================== =================================', 'admin:'],
    ['diagnose.axl.s2snodes-empty'], 'IM&P CLI: the table has no row.')
put('imp-xmpps2snodes-ok.txt', ['admin:run sql select * from xmpps2snodes pkid                                 cp_id ==================================== ================================= 055c13d9-943d-459d-a3c6-af1d1176936d cm-2_s2scp-1.eft-xwye-a-coluc-com admin:'],
    ['diagnose.no-match'], 'IM&P CLI: the verbatim TAC 213865 sample with one row.')
# 17. IM&P federation CM trace present.
put('imp-federation-enabled/epas/trace/xcp/log/xmpp-cm-4_00000001.log', [rtr(0, 'INFO', 'XMPP Federation Connection Manager started'), rtr(5, 'INFO', 'Listening on 0.0.0.0:5269')], None)
open(os.path.join(OUT, 'imp-federation-enabled.expect'), 'w').write('# IM&P runs its own XMPP federation CM (its trace file exists).\ndiagnose.imp.federation-enabled\n')

# 18. Prosody.
pt = lambda sec: (BASE + datetime.timedelta(seconds=sec)).strftime('%b %d %H:%M:%S')
pros = [
    f"{pt(0)} general\tinfo\tHello and welcome to Prosody version 0.12.3",
    f"{pt(1)} s2sout55d8a8e4b0e0\tinfo\tOutgoing s2s connection a.test->b.test complete",
    f"{pt(2)} s2sin55d8a8f01230\tinfo\tIncoming s2s connection b.test->a.test complete",
    f"{pt(3)} s2sin55d8a9001111\twarn\tForbidding insecure connection to/from selfsigned.example because its certificate is self-signed",
    f"{pt(4)} s2sin55d8a9002222\twarn\tForbidding insecure connection to/from wrongname.example because its certificate is not valid for this name",
    f"{pt(5)} s2sout55d8a9003333\twarn\tEncrypted server-to-server communication is required but was not offered by plain.example",
    f"{pt(6)} s2sin55d8a9004444\twarn\tnobody.example tried to connect to c.test, which we don't serve",
    f"{pt(7)} s2sin55d8a9005555\twarn\tauthoritative server for liar.example denied the key",
    f"{pt(8)} c2s55d8a9006666\tinfo\tClient connected",
]
put('prosody-s2s-failures.log', pros, ['diagnose.tls.cert-untrusted', 'diagnose.tls.cert-identity', 'diagnose.tls.negotiation-failed', 'diagnose.stream.host-unknown', 'diagnose.dialback.invalid'], 'Prosody 0.12 log lines (wording from mod_s2s / mod_dialback).')
put('prosody-ok.log', pros[:3] + [pros[-1]], ['diagnose.no-match'], 'Prosody 0.12: healthy s2s.')
# 19. ejabberd.
et = lambda sec: (BASE + datetime.timedelta(seconds=sec)).strftime('%Y-%m-%d %H:%M:%S.') + '123456+00:00'
ej = [
    f"{et(0)} [info] <0.456.0>@ejabberd_app:start/2:63 ejabberd 23.01 is started in the node ejabberd@localhost in 0.61s",
    f"{et(1)} [info] <0.512.0>@ejabberd_s2s_out:handle_auth_success/2:200 (tls|<0.512.0>) Accepted outbound s2s dialback authentication b.test -> a.test (127.0.0.2)",
    f"{et(2)} [warning] <0.530.0>@ejabberd_s2s_out:process_closed/2:157 Failed to establish outbound s2s connection b.test -> nxdomain.example: DNS lookup failed: non-existing domain; bouncing for 10 seconds",
    f"{et(3)} [warning] <0.531.0>@ejabberd_s2s_out:process_closed/2:157 Failed to establish outbound s2s connection b.test -> firewalled.example: Connection failed: connection refused; bouncing for 10 seconds",
    f"{et(4)} [warning] <0.532.0>@ejabberd_s2s_out:process_closed/2:157 Failed to establish outbound s2s connection b.test -> oldtls.example: TLS failed: protocol version; bouncing for 10 seconds",
    f"{et(5)} [warning] <0.533.0>@ejabberd_s2s_out:process_closed/2:157 Failed to establish outbound s2s connection b.test -> picky.example: Stream closed by peer: policy-violation; bouncing for 10 seconds",
    f"{et(6)} [warning] <0.534.0>@ejabberd_s2s_in:handle_auth_failure/3:230 (tls|<0.534.0>) Failed inbound s2s dialback authentication liar.example -> b.test (198.51.100.7): Invalid dialback key",
]
put('ejabberd-s2s-failures.log', ej, ['diagnose.dns.peer-unresolvable', 'diagnose.net.port-5269-blocked', 'diagnose.tls.negotiation-failed', 'diagnose.stream.policy-violation', 'diagnose.dialback.invalid'], 'ejabberd 23.01 log lines (wording from ejabberd_s2s_out / xmpp_stream_out).')
put('ejabberd-ok.log', ej[:2], ['diagnose.no-match'], 'ejabberd 23.01: healthy s2s.')

# 20. xfed JSON results.
def run(command, targets, started='2026-11-24T09:30:00.000Z'):
    s = {'targets': len(targets), 'errors': 0, 'warnings': 0, 'info': 0}
    for t in targets:
        for f in t['findings']:
            s[{'error': 'errors', 'warning': 'warnings', 'info': 'info'}[f['severity']]] += 1
    return {'schema': 1, 'tool': 'xfed', 'version': '0.1.0', 'command': command, 'startedAt': started, 'durationMs': 12.3, 'options': {}, 'targets': targets, 'summary': s, 'exitCode': 1 if s['errors'] else 0}
def f(id, sev, title, target, detail='', ev=None):
    return {'id': id, 'severity': sev, 'title': title, 'detail': detail, 'evidence': ev or [], 'fix': '', 'target': target}
def tgt(name, findings, data=None):
    v = 'error' if any(x['severity'] == 'error' for x in findings) else 'warning' if any(x['severity'] == 'warning' for x in findings) else 'ok'
    return {'target': name, 'verdict': v, 'findings': findings, 'data': data or {}}
dns = run('check-dns', [
    tgt('coluc.com', [f('dns.srv.missing', 'error', 'No _xmpp-server._tcp SRV record', 'coluc.com')]),
    tgt('vngtp.lab', [f('dns.srv.target-private', 'error', 'SRV target expe.vngtp.lab resolves to a private address', 'vngtp.lab', ev=[{'label': 'A', 'value': '10.48.36.171'}]), f('dns.srv.target-cname', 'warning', 'SRV target is a CNAME', 'vngtp.lab')]),
    tgt('ok.example', [f('dns.srv.ok', 'info', 'SRV records fine', 'ok.example')]),
])
json.dump(dns, open(os.path.join(OUT, 'results-check-dns.json'), 'w'), indent=2)
open(os.path.join(OUT, 'results-check-dns.expect'), 'w').write('# xfed check-dns --json\ndiagnose.dns.srv-missing\ndiagnose.dns.srv-private\ndiagnose.dns.srv-misconfigured\n')
probe = run('probe', [
    tgt('partner.example', [f('probe.dialback.invalid', 'error', "The peer answered type='invalid'", 'partner.example')]),
    tgt('wrong.example', [f('probe.stream.error', 'error', 'The peer closed the stream with host-unknown', 'wrong.example', 'RFC 6120 condition host-unknown', [{'label': 'condition', 'value': 'host-unknown'}])]),
    tgt('badcert.example', [f('probe.cert.name-mismatch', 'error', 'Certificate not valid for badcert.example', 'badcert.example'), f('probe.tls.version-old', 'warning', 'TLS 1.0 negotiated', 'badcert.example')]),
    tgt('good.example', [f('probe.dialback.valid', 'info', 'Dialback valid', 'good.example')]),
])
axl = run('axl-verify', [tgt('cups.ciscotac.net', [f('axl.auth.failed', 'error', 'AXL login failed (HTTP 401)', 'cups.ciscotac.net'), f('axl.s2snode.empty', 'error', 'xmpps2snodes has no rows', 'cups.ciscotac.net'), f('axl.federation.imp-enabled', 'error', 'XMPP federation CM active on IM&P', 'cups.ciscotac.net'), f('axl.fault', 'error', 'AXL fault -206', 'cups.ciscotac.net')])])
# Concatenated documents, as `cat probe.json axl.json` writes them.
open(os.path.join(OUT, 'results-probe-and-axl.json'), 'w').write(json.dumps(probe, indent=2) + '\n' + json.dumps(axl, indent=2) + '\n')
open(os.path.join(OUT, 'results-probe-and-axl.expect'), 'w').write('# xfed probe --json and xfed axl-verify --json, concatenated\ndiagnose.dialback.invalid\ndiagnose.stream.host-unknown\ndiagnose.tls.cert-identity\ndiagnose.tls.negotiation-failed\ndiagnose.axl.http-401\ndiagnose.axl.s2snodes-empty\ndiagnose.imp.federation-enabled\ndiagnose.result.other\n')
okr = run('probe', [tgt('good.example', [f('probe.dialback.valid', 'info', 'Dialback valid', 'good.example')])])
json.dump(okr, open(os.path.join(OUT, 'results-ok.json'), 'w'), indent=2)
open(os.path.join(OUT, 'results-ok.expect'), 'w').write('# a healthy probe\ndiagnose.no-match\n')
# 21. AXL 599.
put('expc-axl-599.log', noise_c(C, 0) + [axl_send(5), axl_resp(5.2, 599, 'Incorrect axl version')] + noise_c(C, 10), ['diagnose.axl.version-unsupported'], 'Expressway-C: IM&P answers 599 "Incorrect axl version".')
# 22. Binary fixtures, reproducible (mtime 0): a .tar.gz diagnostic bundle and a rotated .log.gz.
import tarfile, gzip, io
def tgz(name, members, expect, comment):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode='w', format=tarfile.USTAR_FORMAT) as tf:
        for mname, body in members:
            ti = tarfile.TarInfo(mname); ti.size = len(body); ti.mtime = 0; ti.uname = ti.gname = 'root'
            tf.addfile(ti, io.BytesIO(body))
    with open(os.path.join(OUT, name), 'wb') as f:
        with gzip.GzipFile(filename='', mode='wb', fileobj=f, mtime=0) as g: g.write(raw.getvalue())
    open(os.path.join(OUT, name.split('.')[0] + '.expect'), 'w').write(f'# {comment}\n' + '\n'.join(expect) + '\n')
rd = lambda p: open(os.path.join(OUT, p), 'rb').read()
gzbody = io.BytesIO()
with gzip.GzipFile(filename='', mode='wb', fileobj=gzbody, mtime=0) as g: g.write(rd('imp-rtr-jsm-1-bouncing.log'))
tgz('diagnostic_log_expe01_20261124.tar.gz', [
    ('loggingsnapshot_expe01_20261124.txt', rd('expe-stream-errors.log') + rd('expe-dialback-timeout.log')),
    ('xconf_dump_expe01_20261124.txt', b'*c xConfiguration XCP Federation Mode: On\n*c xConfiguration XCP Federation Privacy Mode: AllowList\n'),
    ('eth0_diagnostic_logging_tcpdump00_expe01_20261124.pcap', bytes([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0]) + bytes(600)),
    ('imp/epas/trace/xcp/log/rtr-jsm-1.log.gz', gzbody.getvalue()),
], ['diagnose.dialback.timeout @ ' + str(rd('expe-stream-errors.log').count(b'\n') + 6), 'diagnose.stream.host-unknown', 'diagnose.stream.not-authorized', 'diagnose.stream.policy-violation', 'diagnose.stream.remote-connection-failed', 'diagnose.xcp.router-restart-needed', 'diagnose.input.binary', 'diagnose.input.unknown-format'],
   'An Expressway-E diagnostic bundle (tar.gz) with a pcap, an xconf dump and a nested IM&P .log.gz.')
with gzip.GzipFile(os.path.join(OUT, 'expc-axl-401-rotated.log.gz'), 'wb', mtime=0) as g: g.write(rd('expc-axl-401.log'))
open(os.path.join(OUT, 'expc-axl-401-rotated.expect'), 'w').write('# A rotated Expressway-C log, gzipped.\ndiagnose.axl.http-401 @ 10\n')
