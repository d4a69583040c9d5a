/*
 * The widget's stylesheet (web/widget/style.js), injected into the host page
 * as one <style id="tandem-style"> when the widget mounts.
 */

// Everything is scoped under #tandem-root; the reset below keeps the host
// page's element rules (button, textarea, div...) from leaking in.
export const STYLESHEET = `
#tandem-root{all:initial}
#tandem-root,#tandem-root *,#tandem-root *::before,#tandem-root *::after{box-sizing:border-box;margin:0;padding:0;border:0;background:none;box-shadow:none;float:none;font:inherit;color:inherit;letter-spacing:normal;word-spacing:normal;text-transform:none;text-indent:0;text-shadow:none;text-decoration:none;text-align:inherit;width:auto;height:auto;min-width:0;max-width:none;min-height:0;max-height:none;list-style:none;opacity:1;transform:none;filter:none}
#tandem-root{--tandem-accent:#23666f;--tandem-accent-ink:#fff;--tandem-ink:#1d2530;--tandem-muted:#5d6876;--tandem-line:#e3e7ec;--tandem-bot:#f1f3f6;--tandem-agent:#e7f3ee;--tandem-agent-ink:#1c5a41;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:14px;line-height:1.45;color:var(--tandem-ink);text-align:left;direction:ltr;-webkit-font-smoothing:antialiased}
#tandem-root [hidden]{display:none!important}
#tandem-root button{cursor:pointer;user-select:none;-webkit-tap-highlight-color:transparent}
#tandem-root button:disabled{cursor:default}
#tandem-root :focus{outline:none}
#tandem-root :focus-visible{outline:2px solid var(--tandem-accent);outline-offset:2px}
#tandem-root .tandem-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
#tandem-root .tandem-icon{display:block;width:24px;height:24px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}

#tandem-root #tandem-bubble{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;align-items:center;justify-content:center;width:56px;height:56px;border-radius:50%;background:var(--tandem-accent);color:var(--tandem-accent-ink);box-shadow:0 6px 20px rgba(16,24,40,.22),0 2px 6px rgba(16,24,40,.12);transition:transform .15s ease,box-shadow .15s ease}
#tandem-root #tandem-bubble:hover{transform:translateY(-1px);box-shadow:0 8px 24px rgba(16,24,40,.26),0 2px 6px rgba(16,24,40,.14)}
#tandem-root #tandem-bubble .tandem-icon{width:26px;height:26px}
#tandem-root #tandem-bubble .tandem-icon-close{display:none}
#tandem-root #tandem-bubble[aria-expanded="true"] .tandem-icon-chat{display:none}
#tandem-root #tandem-bubble[aria-expanded="true"] .tandem-icon-close{display:block}
#tandem-root .tandem-unread{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 6px;border-radius:10px;background:#c2410c;color:#fff;font-size:12px;font-weight:600;line-height:20px;text-align:center;border:2px solid #fff}

#tandem-root #tandem-panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;display:flex;flex-direction:column;width:376px;height:min(600px,calc(100vh - 112px));background:#fff;border-radius:16px;overflow:hidden;box-shadow:0 18px 50px rgba(16,24,40,.22),0 4px 12px rgba(16,24,40,.10);border:1px solid rgba(16,24,40,.06);animation:tandem-in .18s ease-out}
@keyframes tandem-in{from{opacity:0;transform:translateY(8px) scale(.98)}to{opacity:1;transform:none}}

#tandem-root .tandem-header{flex:none;display:flex;align-items:center;gap:12px;padding:14px 14px 14px 16px;background:var(--tandem-accent);color:var(--tandem-accent-ink)}
#tandem-root .tandem-avatar{flex:none;display:flex;align-items:center;justify-content:center;width:36px;height:36px;border-radius:50%;background:rgba(255,255,255,.18);font-weight:600;font-size:15px}
#tandem-root .tandem-heading{flex:1;min-width:0}
#tandem-root .tandem-title{display:block;font-size:16px;font-weight:600;line-height:1.25}
#tandem-root .tandem-who{display:flex;align-items:center;gap:6px;margin-top:2px;font-size:12.5px;opacity:.92;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#tandem-root .tandem-who .tandem-badge{background:rgba(255,255,255,.2);color:inherit}
#tandem-root .tandem-dot{flex:none;display:inline-block;width:8px;height:8px;border-radius:50%;background:#6ee7a8}
#tandem-root .tandem-close{flex:none;display:flex;align-items:center;justify-content:center;width:32px;height:32px;border-radius:8px;color:inherit}
#tandem-root .tandem-close:hover{background:rgba(255,255,255,.14)}
#tandem-root .tandem-close .tandem-icon{width:20px;height:20px}

#tandem-root .tandem-status{flex:none;display:block;padding:8px 16px;background:#f6f8fa;border-bottom:1px solid var(--tandem-line);color:var(--tandem-muted);font-size:12.5px;text-align:center}
#tandem-root .tandem-status[data-tone="wait"]{background:#fff8eb;color:#7a4b00}
#tandem-root .tandem-status[data-tone="person"]{background:var(--tandem-agent);color:var(--tandem-agent-ink)}

#tandem-root .tandem-messages{flex:1;display:flex;flex-direction:column;gap:10px;padding:16px;overflow-y:auto;overscroll-behavior:contain}
#tandem-root .tandem-empty{flex:none;margin:auto 8px;color:var(--tandem-muted);text-align:center;font-size:13px}
#tandem-root .tandem-msg{flex:none;display:flex;flex-direction:column;align-items:flex-start;max-width:85%;align-self:flex-start}
#tandem-root .tandem-meta{display:flex;align-items:center;gap:6px;margin:0 0 3px 2px;font-size:11.5px;color:var(--tandem-muted)}
#tandem-root .tandem-author{font-weight:600;color:var(--tandem-ink)}
#tandem-root .tandem-badge{display:inline-block;padding:0 6px;border-radius:6px;background:#e4e8ee;color:#3c4654;font-size:10.5px;font-weight:600;line-height:17px;letter-spacing:.02em;text-transform:uppercase}
#tandem-root .tandem-text{display:block;padding:9px 12px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
#tandem-root .tandem-msg[data-from="bot"] .tandem-text{background:var(--tandem-bot);border-top-left-radius:4px}
#tandem-root .tandem-feedback{display:flex;gap:2px;margin-top:2px}
#tandem-root .tandem-feedback-button{border:0;background:transparent;color:inherit;cursor:pointer;line-height:0;padding:3px 4px;border-radius:6px;opacity:.5}
#tandem-root .tandem-feedback-button:hover:not(:disabled),#tandem-root .tandem-feedback-button[aria-pressed="true"]{opacity:1}
#tandem-root .tandem-feedback-button:disabled{cursor:default}
#tandem-root .tandem-feedback-button:focus-visible{outline:2px solid var(--tandem-accent,#2563eb);outline-offset:1px}
#tandem-root .tandem-msg[data-from="agent"] .tandem-text{background:var(--tandem-agent);border-top-left-radius:4px}
#tandem-root .tandem-msg[data-from="agent"] .tandem-author{color:var(--tandem-agent-ink)}
#tandem-root .tandem-msg[data-from="visitor"]{align-self:flex-end;align-items:flex-end}
#tandem-root .tandem-msg[data-from="visitor"] .tandem-text{background:var(--tandem-accent);color:var(--tandem-accent-ink);border-top-right-radius:4px}
#tandem-root .tandem-msg[data-from="system"]{align-self:center;align-items:center;max-width:92%}
#tandem-root .tandem-msg[data-from="system"] .tandem-text{padding:2px 8px;background:none;color:var(--tandem-muted);font-size:12px;text-align:center}
#tandem-root .tandem-more{display:block;margin:4px auto 8px;padding:4px 10px;border:1px solid var(--tandem-line);border-radius:12px;background:transparent;color:var(--tandem-muted);font:inherit;font-size:12px;cursor:pointer}
#tandem-root .tandem-divider{display:flex;align-items:center;gap:8px;margin:6px 0;color:var(--tandem-muted);font-size:11.5px}
#tandem-root .tandem-divider::before,#tandem-root .tandem-divider::after{content:"";flex:1;border-top:1px solid var(--tandem-line)}
#tandem-root .tandem-msg.tandem-pending .tandem-text{opacity:.55}
#tandem-root .tandem-msg.tandem-failed .tandem-text{opacity:.55;outline:1px dashed #b42318;outline-offset:-1px}
#tandem-root .tandem-state{margin:3px 4px 0;font-size:11px;color:var(--tandem-muted)}
#tandem-root .tandem-msg.tandem-failed .tandem-state{color:#b42318}

#tandem-root .tandem-quick-replies{flex:none;display:flex;flex-wrap:wrap;justify-content:flex-end;gap:6px;padding:0 16px 10px}
#tandem-root .tandem-quick-reply{display:inline-block;padding:6px 12px;border-radius:16px;border:1px solid var(--tandem-accent);color:var(--tandem-accent);background:#fff;font-size:13px;line-height:1.3;text-align:left}
#tandem-root .tandem-quick-reply:hover{background:var(--tandem-accent);color:var(--tandem-accent-ink)}

#tandem-root .tandem-typing{flex:none;display:block;padding:0 18px 6px;color:var(--tandem-muted);font-size:12px;font-style:italic}
#tandem-root .tandem-survey{flex:none;display:block;margin:0 16px 10px;padding:12px;border:1px solid var(--tandem-line);border-radius:12px;background:#fafbfc}
#tandem-root .tandem-survey-q{display:block;font-weight:600;margin-bottom:8px}
#tandem-root .tandem-stars{display:flex;gap:4px;margin-bottom:8px}
#tandem-root .tandem-rate{display:flex;align-items:center;justify-content:center;width:36px;height:36px;border-radius:8px;border:1px solid #cfd6de;background:#fff;color:#b8c0cc;font-size:20px;line-height:1}
#tandem-root .tandem-rate:hover,#tandem-root .tandem-rate[data-lit="true"]{color:#e0a100;border-color:#e0a100}
#tandem-root .tandem-rate[aria-pressed="true"]{background:#fff8e1}
#tandem-root .tandem-survey-comment{display:block;width:100%;height:56px;padding:6px 10px;border:1px solid #cfd6de;border-radius:8px;background:#fff;font-size:13px;line-height:18px;resize:none;white-space:pre-wrap}
#tandem-root .tandem-survey-comment:focus{border-color:var(--tandem-accent)}
#tandem-root .tandem-survey-actions{display:flex;align-items:center;justify-content:space-between;gap:8px;margin-top:8px}
#tandem-root .tandem-survey-hint{font-size:11.5px;color:var(--tandem-muted)}
#tandem-root .tandem-survey-submit{padding:6px 14px;border-radius:8px;background:var(--tandem-accent);color:var(--tandem-accent-ink);font-weight:600;font-size:13px}
#tandem-root .tandem-survey-submit:disabled{background:#c8d0d9}
#tandem-root .tandem-survey-thanks{display:block;text-align:center;color:var(--tandem-agent-ink);font-weight:600}
#tandem-root .tandem-offline{flex:none;display:block;margin:0 16px 10px;padding:12px;border:1px solid #f0dcb4;border-radius:12px;background:#fffaf0;max-height:60%;overflow-y:auto}
#tandem-root .tandem-offline-notice{display:block;margin-bottom:8px;color:#5c3a00;font-size:13px}
#tandem-root .tandem-offline-form{display:block}
#tandem-root .tandem-offline-label{display:block;margin:0 0 3px 2px;font-size:12px;font-weight:600;color:var(--tandem-muted)}
#tandem-root .tandem-offline-email,#tandem-root .tandem-offline-text{display:block;width:100%;padding:6px 10px;border:1px solid #cfd6de;border-radius:8px;background:#fff;color:var(--tandem-ink);font-size:13px;line-height:18px}
#tandem-root .tandem-offline-email{height:34px}
#tandem-root .tandem-offline-text{height:64px;margin-top:8px;resize:none;white-space:pre-wrap}
#tandem-root .tandem-offline-email:focus,#tandem-root .tandem-offline-text:focus{border-color:var(--tandem-accent)}
#tandem-root .tandem-offline-email[aria-invalid="true"]{border-color:#b42318}
#tandem-root .tandem-offline-error{display:block;margin:4px 2px 0;color:#b42318;font-size:12px}
#tandem-root .tandem-offline-actions{display:flex;align-items:center;justify-content:flex-end;gap:8px;margin-top:8px}
#tandem-root .tandem-offline-dismiss{padding:6px 8px;border-radius:8px;color:var(--tandem-muted);font-size:13px}
#tandem-root .tandem-offline-dismiss:hover{background:#f3eee4;color:var(--tandem-ink)}
#tandem-root .tandem-offline-submit{padding:6px 14px;border-radius:8px;background:var(--tandem-accent);color:var(--tandem-accent-ink);font-weight:600;font-size:13px}
#tandem-root .tandem-offline-submit:disabled{background:#c8d0d9}
#tandem-root .tandem-offline-thanks{display:block;color:var(--tandem-agent-ink);font-weight:600;overflow-wrap:anywhere}
#tandem-root .tandem-cancel-wait{padding:4px 8px;margin-left:-8px;border-radius:8px;color:#7a4b00;font-weight:600;font-size:12.5px}
#tandem-root .tandem-cancel-wait:hover{background:#fff8eb}
#tandem-root .tandem-notice{flex:none;display:block;margin:0 16px 8px;padding:6px 10px;border-radius:8px;background:#fdf0ef;color:#912018;font-size:12.5px}

#tandem-root .tandem-composer{flex:none;display:flex;align-items:flex-end;gap:8px;padding:10px 12px;border-top:1px solid var(--tandem-line)}
#tandem-root .tandem-input{flex:1;display:block;width:100%;height:40px;max-height:128px;padding:9px 12px;border:1px solid #cfd6de;border-radius:12px;background:#fff;color:var(--tandem-ink);font-size:14px;line-height:20px;resize:none;overflow-y:auto;white-space:pre-wrap}
#tandem-root .tandem-input::placeholder{color:#8a94a3;opacity:1}
#tandem-root .tandem-input:focus{border-color:var(--tandem-accent);box-shadow:0 0 0 3px rgba(35,102,111,.15)}
#tandem-root .tandem-input:focus-visible{outline:none}
#tandem-root .tandem-send{flex:none;display:flex;align-items:center;justify-content:center;width:40px;height:40px;border-radius:12px;background:var(--tandem-accent);color:var(--tandem-accent-ink)}
#tandem-root .tandem-send:disabled{background:#c8d0d9}
#tandem-root .tandem-send .tandem-icon{width:20px;height:20px}

#tandem-root .tandem-footer{flex:none;display:flex;align-items:center;gap:8px;padding:0 14px 10px;font-size:12px;color:var(--tandem-muted)}
#tandem-root .tandem-human{padding:4px 8px;margin-left:-8px;border-radius:8px;color:var(--tandem-accent);font-weight:600;font-size:12.5px}
#tandem-root .tandem-human:hover{background:#eef4f5}
#tandem-root .tandem-human:disabled{color:var(--tandem-muted);background:none}
#tandem-root .tandem-counter{font-variant-numeric:tabular-nums}
#tandem-root .tandem-counter[data-over="true"]{color:#b42318;font-weight:600}
#tandem-root .tandem-brand{margin-left:auto;font-size:11px;color:#98a2b3}

@media (max-width:480px){
#tandem-root #tandem-panel{inset:0;right:0;bottom:0;width:100%;height:100%;border-radius:0;border:0}
#tandem-root #tandem-bubble[aria-expanded="true"]{display:none}
#tandem-root .tandem-input{font-size:16px}
}
@media (prefers-reduced-motion:reduce){
#tandem-root #tandem-panel{animation:none}
#tandem-root #tandem-bubble{transition:none}
}
`;
