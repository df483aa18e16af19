wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"series":[100,120,90,110,130,95,105,115,125,85,100,140,120,110],"level":[]}'
