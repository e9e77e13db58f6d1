/**
 * `/docs`: one self-contained HTML page (no CDN, no external script) that renders the OpenAPI
 * document embedded in it — operations grouped by tag, with parameters, bodies and answers.
 */
export function docsPage(spec: unknown): string {
  // `<` escaped so the JSON cannot close the script element.
  const data = JSON.stringify(spec).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Roster API</title>
<style>
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:16px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;opacity:.8}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
input{width:100%;padding:8px 10px;font:inherit;border:1px solid #c9ced6;border-radius:6px;margin:8px 0 16px;box-sizing:border-box}
h2{margin:28px 0 8px;font-size:18px}
details{background:#fff;border:1px solid #dde1e7;border-radius:6px;margin:6px 0}
summary{cursor:pointer;padding:8px 12px;display:flex;gap:10px;align-items:center}
.m{font:600 12px/1 ui-monospace,monospace;padding:4px 6px;border-radius:4px;color:#fff;min-width:52px;text-align:center;text-transform:uppercase}
.get{background:#2f7d32}.post{background:#1f5fbf}.put{background:#a35c00}.delete{background:#b3261e}.patch{background:#6b3fa0}
.p{font-family:ui-monospace,monospace}.s{color:#555}
.body{padding:4px 16px 12px;border-top:1px solid #eef0f3}
table{border-collapse:collapse;width:100%;margin:6px 0}td,th{border:1px solid #e3e6ea;padding:4px 8px;text-align:left;vertical-align:top;font-size:14px}
pre{background:#f3f4f6;padding:8px;border-radius:4px;overflow:auto;font-size:13px;max-height:360px}
.lock{font-size:12px;color:#555;border:1px solid #ccd;border-radius:4px;padding:1px 5px}
</style></head>
<body><header><h1 id="title">Roster API</h1><p id="desc"></p></header>
<main><p>Machine-readable: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1).</p>
<input id="q" type="search" placeholder="Filter by path or summary…" aria-label="Filter operations">
<div id="ops"></div></main>
<script id="spec" type="application/json">${data}</script>
<script>
(function(){
var spec=JSON.parse(document.getElementById('spec').textContent);
var schemas=(spec.components&&spec.components.schemas)||{};
document.getElementById('title').textContent=spec.info.title+' '+spec.info.version;
document.getElementById('desc').textContent=spec.info.description||'';
function el(tag,attrs,kids){var e=document.createElement(tag);for(var k in attrs||{}){if(k==='text')e.textContent=attrs[k];else e.setAttribute(k,attrs[k]);}(kids||[]).forEach(function(c){if(c)e.appendChild(c);});return e;}
function resolve(s,depth){depth=depth||0;if(!s||typeof s!=='object'||depth>6)return s;
 if(s.$ref){var n=s.$ref.split('/').pop();return resolve(schemas[n],depth+1);}
 if(Array.isArray(s))return s.map(function(x){return resolve(x,depth+1);});
 var o={};for(var k in s)o[k]=resolve(s[k],depth+1);return o;}
function schemaBlock(title,s){if(!s)return null;var name=s.$ref?' ('+s.$ref.split('/').pop()+')':'';
 return el('div',{},[el('strong',{text:title+name}),el('pre',{text:JSON.stringify(resolve(s),null,2)})]);}
var groups={};
Object.keys(spec.paths).forEach(function(p){var item=spec.paths[p];Object.keys(item).forEach(function(m){var op=item[m];var t=(op.tags&&op.tags[0])||'Other';(groups[t]=groups[t]||[]).push({p:p,m:m,op:op});});});
var root=document.getElementById('ops');
(spec.tags||[]).map(function(t){return t.name;}).concat(Object.keys(groups)).filter(function(t,i,a){return a.indexOf(t)===i&&groups[t];}).forEach(function(tag){
 root.appendChild(el('h2',{text:tag}));
 groups[tag].forEach(function(x){var op=x.op;
  var sec=(op.security||[]).map(function(r){return Object.keys(r)[0]||'none';}).join(' or ');
  var body=el('div',{class:'body'},[
   op.description?el('p',{text:op.description}):null,
   sec?el('p',{},[el('span',{class:'lock',text:'auth: '+sec})]):null,
   op.parameters?el('table',{},[el('tr',{},[el('th',{text:'parameter'}),el('th',{text:'in'}),el('th',{text:'required'}),el('th',{text:'description'})])].concat(op.parameters.map(function(pa){return el('tr',{},[el('td',{class:'p',text:pa.name}),el('td',{text:pa.in}),el('td',{text:pa.required?'yes':'no'}),el('td',{text:(pa.description||'')+(pa.schema&&pa.schema.enum?' ['+pa.schema.enum.join(', ')+']':'')})]);}))):null,
   op.requestBody?schemaBlock('Request body',op.requestBody.content&&op.requestBody.content['application/json']&&op.requestBody.content['application/json'].schema):null
  ].concat(Object.keys(op.responses||{}).map(function(st){var r=op.responses[st];var c=r.content&&(r.content['application/json']||r.content['text/plain']||r.content['text/html']);
   return c?schemaBlock(st+' — '+r.description,c.schema):el('p',{text:st+' — '+r.description});})));
  var d=el('details',{'data-k':(x.m+' '+x.p+' '+op.summary).toLowerCase()},[el('summary',{},[el('span',{class:'m '+x.m,text:x.m}),el('span',{class:'p',text:x.p}),el('span',{class:'s',text:op.summary||''})]),body]);
  root.appendChild(d);});});
document.getElementById('q').addEventListener('input',function(e){var q=e.target.value.toLowerCase();
 Array.prototype.forEach.call(document.querySelectorAll('details'),function(d){d.style.display=d.getAttribute('data-k').indexOf(q)>=0?'':'none';});});
})();
</script></body></html>
`;
}
