print("sip-echo")
