"""hcctrials.response"""
